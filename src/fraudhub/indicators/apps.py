from django.apps import AppConfig

# One value of every shape the indicator types read, written as people write them, and a
# message holding several: reading them builds each type's tables (see warm_up).
_WARM_UP_VALUES = (
    "0912 345 678", "+84 912 345 678", "84912345678", "STK 0123456789 Vietcombank",
    "DE89370400440532013000", "hxxps://example[.]com/login", "WWW.EXAMPLE.COM.VN",
    "a.b@example.com", "https://www.facebook.com/profile.php?id=100000000000001",
    "t.me/example", "example.vn", "0x52908400098527886E0F7030069857D2E4169EE7",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8",
)
_WARM_UP_MESSAGE = ("Gọi 0912.345.678 hoặc chuyển vào số tài khoản 0123456789 ngân hàng MB, "
                    "link hxxps://vi-du[.]top/dang-nhap, Telegram @vidu, lúc 18:00 12/05/2025.")


class IndicatorsConfig(AppConfig):
    name = "fraudhub.indicators"
    label = "indicators"
    verbose_name = "Indicators"

    def warm_up(self) -> None:
        """Build the public suffix trie, the phone metadata of the default region, the bank
        table and aliases and the extraction patterns, which are otherwise built by the first
        lookup or scan of every server process (fraudhub.core.warmup)."""
        from fraudhub.indicators.extract import extract
        from fraudhub.indicators.lookup import display_value, read_query

        for raw in _WARM_UP_VALUES:
            query = read_query(raw, None)
            if query.type is not None and query.value is not None:
                display_value(query.type, query.value)
        extract(_WARM_UP_MESSAGE)
