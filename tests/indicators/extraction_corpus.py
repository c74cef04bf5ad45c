"""Labelled snippets for measuring indicator extraction.

Written for these tests (no real people's data): scam SMS, transfer notes and posts in
Vietnamese (with and without diacritics), English, German and Polish, and many negatives full of
dates, amounts, order and ID numbers. Each snippet lists every (type, canonical value) a careful
human would mark; ``exact`` snippets must be extracted exactly, the rest count towards precision
and recall.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Snippet:
    text: str
    expected: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    exact: bool = False


def s(text: str, *expected: tuple[str, str], exact: bool = False) -> Snippet:
    return Snippet(text, frozenset(expected), exact)


def phone(value: str) -> tuple[str, str]:
    return ("phone", value)


def acct(value: str) -> tuple[str, str]:
    return ("bank_account", value)


def url(value: str) -> tuple[str, str]:
    return ("url", value)


def dom(value: str) -> tuple[str, str]:
    return ("domain", value)


def mail(value: str) -> tuple[str, str]:
    return ("email", value)


def soc(value: str) -> tuple[str, str]:
    return ("social_account", value)


def wal(value: str) -> tuple[str, str]:
    return ("crypto_wallet", value)


# NAPAS BINs of the banks the snippets name.
VCB, TCB, MB, BIDV, CTG = "970436", "970407", "970422", "970418", "970415"
ACB, AGR, VPB, STB = "970416", "970405", "970432", "970403"

# fmt: off
CORPUS: list[Snippet] = [
    # --- Vietnamese scam SMS, with diacritics ----------------------------------------------
    s("[VCB] Tài khoản của quý khách bị tạm khóa. Vui lòng truy cập "
      "https://vcb-xacthuc.com/login để xác minh trước 12/03/2024.",
      url("https://vcb-xacthuc.com/login"), exact=True),
    s("Chúc mừng bạn đã trúng thưởng 50.000.000đ từ Shopee! Liên hệ 0912 345 678 để nhận quà.",
      phone("+84912345678"), exact=True),
    s("Công an TP.HCM thông báo: bạn liên quan đến vụ án rửa tiền, gọi ngay 0987.654.321 gặp "
      "đồng chí Tuấn.", phone("+84987654321"), exact=True),
    s("Con đang cấp cứu ở bệnh viện, mẹ chuyển gấp 20 triệu vào STK 19036587412018 "
      "Techcombank giúp con.", acct(f"{TCB}:19036587412018"), exact=True),
    s("Việc nhẹ lương cao, làm CTV tại nhà thu nhập 500k-1tr/ngày. Nhắn Zalo 0356 789 123.",
      phone("+84356789123"), exact=True),
    s("Đăng ký nhận hỗ trợ tại hxxp://dichvucong-gov[.]vn/ho-tro trước ngày 30/04.",
      url("http://dichvucong-gov.vn/ho-tro"), exact=True),
    s("Quý khách vui lòng không cung cấp mã OTP 482913 cho bất kỳ ai.", exact=True),
    s("Đơn hàng #DH2024031234 của bạn đang được giao, mã vận đơn 8456123790.", exact=True),
    s("Tổng đài hỗ trợ 1900 6060, hoặc email hotro@bidv-khachhang.com",
      phone("+8419006060"), mail("hotro@bidv-khachhang.com"), exact=True),
    s("STK: 0011004123456 - VCB - Chủ TK: TRAN THI B, nội dung: nap tien 5tr",
      acct(f"{VCB}:0011004123456"), exact=True),
    s("MB Bank 0901234567 LE VAN C", acct(f"{MB}:0901234567"), exact=True),
    s("Chuyển khoản 2.500.000 VNĐ vào tài khoản 123456789 ngân hàng ACB trước 17h00 hôm nay",
      acct(f"{ACB}:123456789"), exact=True),
    s("Nhóm đầu tư tiền ảo lãi 30%/tháng: t.me/dautu_vip_2024, admin Telegram @cryptoking88",
      soc("telegram:dautu_vip_2024"), soc("telegram:cryptoking88"), exact=True),
    s("Fanpage giả mạo: https://www.facebook.com/VietcombankHoTro24h/ đang lừa đảo",
      soc("facebook:vietcombankhotro24h"), exact=True),
    s("Cảnh báo nhóm https://facebook.com/groups/123456789012345/ chuyên lừa bán vé máy bay",
      soc("facebook:group/123456789012345"), exact=True),
    s("Combo du lịch Phú Quốc 3N2Đ chỉ 1.990.000đ, inbox m.me/combogiare.phuquoc",
      soc("facebook:combogiare.phuquoc"), exact=True),
    s("Hồ sơ vay tiền online duyệt trong 5 phút: vaytien-nhanh.online",
      dom("vaytien-nhanh.online"), exact=True),
    s("Vui lòng cập nhật CCCD 001203012345 tại https://vneid-capnhat.com/",
      url("https://vneid-capnhat.com/"), exact=True),
    s("Đầu tư USDT ví TRC20: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t lợi nhuận 2%/ngày",
      wal("trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), exact=True),
    s("Ngày 15/08/2024 lúc 09:30, tôi đã chuyển 15.000.000 đồng", exact=True),
    s("Năm 2023 có hơn 1.500 vụ lừa đảo, thiệt hại 12.000 tỷ đồng", exact=True),
    s("Liên hệ hotline: 028 3822 1234 (giờ hành chính)", phone("+842838221234"), exact=True),
    s("Gọi 024.3823.4567 để được hỗ trợ", phone("+842438234567"), exact=True),
    s("Nạp tiền vào ví Momo 0912345678 để nhận thưởng", phone("+84912345678")),
    s("Đăng ký tại www.vietinbank-khuyenmai.com ngay",
      url("https://www.vietinbank-khuyenmai.com/")),
    s("Link nhận quà: bit.ly/3xYzAbC", url("https://bit.ly/3xYzAbC"), exact=True),
    s("Trang đăng nhập giả http://45.77.12.34/vcb/login", url("http://45.77.12.34/vcb/login")),
    s("Nhắn TikTok @kiemtienonline247 để được hướng dẫn", soc("tiktok:kiemtienonline247")),
    s("Instagram @luxury.hangs.vn bán hàng giả", soc("instagram:luxury.hangs.vn")),
    s("FB: @nguyen.van.a2024 nhận cọc rồi chặn, mọi người cẩn thận",
      soc("facebook:nguyen.van.a2024"), exact=True),
    s("Trang Facebook @shop.giare.official bán hàng không giao, inbox face @tuan.shop99",
      soc("facebook:shop.giare.official"), soc("facebook:tuan.shop99"), exact=True),
    s("Email: contact[@]vietcombank-hotro[.]com",
      mail("contact@vietcombank-hotro.com"), exact=True),
    s("số TK: 1234 5678 9012 ngân hàng BIDV", acct(f"{BIDV}:123456789012"), exact=True),
    s("STK 8888 6666 8888 MB", acct(f"{MB}:888866668888")),
    s("Tài khoản nhận: 0123456789 - Ngân hàng Quân đội (MB)", acct(f"{MB}:0123456789")),
    s("VPBank: 123456789 - NGUYEN THI D", acct(f"{VPB}:123456789"), exact=True),
    s("Người nhận: TRAN VAN E, STK 19033445566778 (TCB)", acct(f"{TCB}:19033445566778")),
    s("tk sacombank 060123456789 chủ tk Le Thi F", acct(f"{STB}:060123456789")),
    s("STK 0071000123456 Vietcombank hoặc 19036587412018 Techcombank",
      acct(f"{VCB}:0071000123456"), acct(f"{TCB}:19036587412018"), exact=True),
    s("Vietcombank 0071000123456, Techcombank 19036587412018",
      acct(f"{VCB}:0071000123456"), acct(f"{TCB}:19036587412018"), exact=True),
    s("số tài khoản 19036587412018 ngân hàng Techcombank",
      acct(f"{TCB}:19036587412018"), exact=True),
    s("STK 0071000123456 Vietcombank", acct(f"{VCB}:0071000123456"), exact=True),
    s("Cảnh báo: đối tượng dùng SĐT 0389 456 123, Zalo 0389456123, STK 1015678901234 "
      "Vietinbank, web ctv-tiki-online.com để lừa CTV",
      phone("+84389456123"), acct(f"{CTG}:1015678901234"), dom("ctv-tiki-online.com"), exact=True),
    s("Mạo danh nhân viên điện lực: gọi 0591 234 567 yêu cầu thanh toán tiền điện qua link "
      "evn-thanhtoan.net/pay", phone("+84591234567"), url("https://evn-thanhtoan.net/pay")),
    s("Sở GD thông báo học sinh được nhận học bổng 3.000.000đ, phụ huynh liên hệ thầy Nam "
      "0945 678 123 và nộp phí hồ sơ 350k vào STK 8800123456789 Agribank",
      phone("+84945678123"), acct(f"{AGR}:8800123456789"), exact=True),
    s("Cục thuế: quý vị chưa nộp thuế TNCN năm 2023, tải app tại thue-dientu.vip/app",
      url("https://thue-dientu.vip/app")),
    s("Bạn nhận được 1 kiện hàng COD 450.000đ, mã vận đơn SPXVN012345678. Hotline 0866 555 "
      "777", phone("+84866555777"), exact=True),
    s("Chuẩn hóa SIM chính chủ trước 15/04, bấm *101# hoặc gọi 0398 765 432 để được hỗ trợ",
      phone("+84398765432")),
    s("Tuyển mẫu nhí chụp ảnh, đóng phí 1.500.000đ vào tài khoản MB 0767888999 Nguyen Thi G",
      acct(f"{MB}:0767888999"), exact=True),
    s("Người thân bị tai nạn đang ở BV Chợ Rẫy, cần 30 triệu, gửi vào STK 0441000765432 VCB",
      acct(f"{VCB}:0441000765432")),
    s("Cơ hội đầu tư chứng khoán quốc tế lãi 5%/ngày: "
      "https://vn-stock-pro.com/dang-ky?ref=abc", url("https://vn-stock-pro.com/dang-ky?ref=abc")),
    s("Dịch vụ lấy lại tiền bị lừa, phí 10%, liên hệ luật sư Hùng 0818 234 567",
      phone("+84818234567")),
    s("Khôi phục tài khoản Facebook bị hack, inbox fb.com/hotro.meta.vn hoặc 0562 345 678",
      phone("+84562345678"), soc("facebook:hotro.meta.vn"), exact=True),
    s("Soi cầu lô đề chuẩn 100%, vào nhóm zalo.me/g/kmvrpw245 nhận số miễn phí",
      soc("zalo:group/kmvrpw245"), exact=True),
    s("Kết bạn Zalo zalo.me/0326112233 để nhận việc", soc("zalo:+84326112233"), exact=True),
    s("Đặt vé máy bay giá rẻ: vemaybay-giare.net.vn, chuyển khoản 2.990.000đ",
      dom("vemaybay-giare.net.vn")),
    s("Gọi (+84) 912 345 678 hoặc +84 (0) 987 654 321",
      phone("+84912345678"), phone("+84987654321")),
    s("Liên hệ 0912345678 hoặc 0987654321 để được tư vấn",
      phone("+84912345678"), phone("+84987654321"), exact=True),
    s("gọi 0912345678 0987654321 ngay", phone("+84912345678"), phone("+84987654321")),
    s("App vay tiền Tiền Nhanh 24h lãi 0%: tiennhanh24h.app, hỗ trợ 1800 599 920",
      phone("+841800599920"), dom("tiennhanh24h.app")),
    # --- Vietnamese without diacritics -----------------------------------------------------
    s("so tai khoan 0071000123456 vietcombank chu tai khoan NGUYEN VAN A",
      acct(f"{VCB}:0071000123456"), exact=True),
    s("Tai khoan cua ban da bi khoa, goi 0868123456 de mo lai", phone("+84868123456"), exact=True),
    s("Chuc mung ban trung thuong iPhone 15, truy cap shopee-tri-an.com de nhan",
      dom("shopee-tri-an.com"), exact=True),
    s("Lien he zalo 0703 456 789 de nhan viec lam online", phone("+84703456789")),
    s("ck vao stk 1234567890123 agribank noi dung ho ten",
      acct(f"{AGR}:1234567890123"), exact=True),
    s("ma don hang 0912345678 da duoc giao thanh cong", exact=True),
    s("Gia 2 trieu 5, lien he 0978 111 222", phone("+84978111222")),
    s("chuyen tien vao tk 19034567890123 techcombank gap", acct(f"{TCB}:19034567890123")),
    s("nhan vien ngan hang goi 0901234567 yeu cau cung cap ma otp 123456", phone("+84901234567")),
    s("stk 123456789 ngan hang quan doi, ten NGUYEN VAN H", acct(f"{MB}:123456789")),
    s("vao link vcb-digibank-online.com de nhan qua tri an", dom("vcb-digibank-online.com")),
    s("nap 500k vao so tk 0123456789123 bidv de kich hoat", acct(f"{BIDV}:0123456789123")),
    # --- Facebook and social posts ---------------------------------------------------------
    s("⚠️ CẢNH BÁO: Trang https://www.facebook.com/profile.php?id=100083123456789 giả danh ca"
      " sĩ, lừa tiền từ thiện. Mọi người cẩn thận!", soc("facebook:100083123456789"), exact=True),
    s("Acc này chuyên lừa đảo bán hàng: fb.com/nguyenvanlua.99 - sđt 0833 456 789 - stk "
      "0451000123456 vcb",
      phone("+84833456789"),
      soc("facebook:nguyenvanlua.99"),
      acct(f"{VCB}:0451000123456"),
      exact=True),
    s("Ai biết người này không: https://web.facebook.com/people/Nguyen-Van-A/100012345678901/",
      soc("facebook:100012345678901"), exact=True),
    s("Group lừa đảo việc làm: facebook.com/groups/ViecLamOnlineTaiNha/posts/1234567890123/",
      soc("facebook:group/vieclamonlinetainha"), exact=True),
    s("Trang mạo danh: https://mbasic.facebook.com/profile.php?id=1000123&ref=bookmarks",
      soc("facebook:1000123"), exact=True),
    s("TikTok giả danh shop: tiktok.com/@shopgiare.official",
      soc("tiktok:shopgiare.official"), exact=True),
    s("Kênh YouTube mạo danh: https://www.youtube.com/@VTV24News_Fake và "
      "youtube.com/channel/UCabcdefghijklmnopqrstuv",
      soc("youtube:vtv24news_fake"), soc("youtube:UCabcdefghijklmnopqrstuv"), exact=True),
    s("Link facebook.com/watch?v=123456 chỉ là video", url("https://facebook.com/watch?v=123456")),
    s("Page giả: https://m.facebook.com/pages/Vietcombank-CSKH/104123456789012",
      soc("facebook:page/104123456789012")),
    s("Trang https://facebook.com/p/Shop-Thoi-Trang-Gia-Re-100089876543210/ bán hàng giả",
      soc("facebook:page/100089876543210")),
    s("Mọi người report giúp: "
      "https://www.facebook.com/permalink.php?story_fbid=123&id=1000456789",
      soc("facebook:1000456789")),
    s("Kênh Telegram https://t.me/s/KeoNhaCai88 dụ cá độ", soc("telegram:keonhacai88")),
    s("Join our VIP group https://t.me/+AbCdEfGhIjK123 for signals",
      url("https://t.me/+AbCdEfGhIjK123")),
    s("Follow x.com/ElonGiveaway24 for the BTC giveaway", soc("x:elongiveaway24"), exact=True),
    s("Old account twitter.com/Fake_Support_1 still active", soc("x:fake_support_1")),
    s("Check my profile instagram.com/anna.crypto.trader",
      soc("instagram:anna.crypto.trader"), exact=True),
    s("Meet me on Telegram @investwithanna for daily signals",
      soc("telegram:investwithanna"), exact=True),
    s("Nick phụ: https://www.facebook.com/Hang.Hieu.Gia.Re.88 - ai mua hàng cẩn thận",
      soc("facebook:hang.hieu.gia.re.88")),
    # --- English ---------------------------------------------------------------------------
    s("Your parcel is held at customs. Pay the $2.99 fee at "
      "https://usps-redelivery.top/track?id=8812 within 24 hours.",
      url("https://usps-redelivery.top/track?id=8812"), exact=True),
    s("Order #12345678 confirmed. Total: $300.00. Questions? Call +1 415 555 2671.",
      phone("+14155552671"), exact=True),
    s("Send 0.05 BTC to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 to unlock your account",
      wal("btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), exact=True),
    s("Contact our support team at help-desk@paypal-security-check.com",
      mail("help-desk@paypal-security-check.com"), exact=True),
    s("Invoice number 20240312 due on 2024-03-12, amount 1,250.00 USD", exact=True),
    s("Wire the funds to account 12345678901 at Vietcombank",
      acct(f"{VCB}:12345678901"), exact=True),
    s("Tracking number 9400111899223456789012 - your package is delayed", exact=True),
    s("Limited offer: iPhone 15 for only 300 €, visit cheap-iphones.shop",
      dom("cheap-iphones.shop"), exact=True),
    s("Defanged IOC list: hxxps://login-microsoftonline[.]com/common/oauth2 and "
      "evil-update(.)net",
      url("https://login-microsoftonline.com/common/oauth2"), dom("evil-update.net"), exact=True),
    s("The scammer's WhatsApp is +44 20 7946 0958", phone("+442079460958"), exact=True),
    s("Send USDT (ERC20) to 0xde709f2102306220921060314715629080e2fb77",
      wal("eth:0xde709f2102306220921060314715629080e2fb77")),
    s("Deposit address: 0x52908400098527886E0F7030069857D2E4169EE7 (BSC)",
      wal("eth:0x52908400098527886e0f7030069857d2e4169ee7")),
    s("Pay to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 or 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
      wal("btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"), wal("btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")),
    s("Taproot: bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
      wal("btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")),
    s("Account number: 987654321098, bank not given", acct("*:987654321098")),
    s("Login at hxxps[:]//secure-appleid[.]com[.]verify-login[.]info/ now",
      url("https://secure-appleid.com.verify-login.info/")),
    s("Romance scam profile: facebook.com/david.miller.un.doctor, asked for $5,000",
      soc("facebook:david.miller.un.doctor")),
    s("Visit www.amaz0n-refunds.co.uk/claim to get your refund of £49.99",
      url("https://www.amaz0n-refunds.co.uk/claim")),
    s("Email me: John.Doe+scam@Gmail.com", mail("john.doe+scam@gmail.com")),
    # --- German ----------------------------------------------------------------------------
    s("Ihr Konto wurde gesperrt. Bitte bestätigen Sie Ihre Daten unter "
      "https://sparkasse-sicherheit.de-verify.com/login",
      url("https://sparkasse-sicherheit.de-verify.com/login"), exact=True),
    s("Bitte überweisen Sie 300 € auf das Konto DE89 3704 0044 0532 0130 00 bis zum "
      "12.03.2024.", acct("iban:DE89370400440532013000"), exact=True),
    s("Ihre Bestellnummer lautet 4001234567. Bei Fragen rufen Sie +49 30 12345678 an.",
      phone("+493012345678"), exact=True),
    s("Paket konnte nicht zugestellt werden: dhl-paket-zustellung.info/sendung",
      url("https://dhl-paket-zustellung.info/sendung"), exact=True),
    s("Schreiben Sie an kundenservice@amazon-konto-pruefung.de",
      mail("kundenservice@amazon-konto-pruefung.de")),
    s("Gewinnspiel! Kontaktieren Sie uns per WhatsApp: +49 1512 3456789", phone("+4915123456789")),
    s("Zahlung an IBAN GB82 WEST 1234 5698 7654 32, Verwendungszweck Rechnung 88123",
      acct("iban:GB82WEST12345698765432"), exact=True),
    s("Hallo Mama, mein Handy ist kaputt. Das ist meine neue Nummer: 0151 23456789",
      phone("+4915123456789")),
    s("Überweisung auf IBAN NL91ABNA0417164300 innerhalb von 24 Stunden",
      acct("iban:NL91ABNA0417164300")),
    s("Ihre Sparkasse: Push-TAN Verfahren läuft ab, jetzt erneuern unter "
      "spk-pushtan-update.de", dom("spk-pushtan-update.de")),
    s("Konto 1234567890 bei der Volksbank, Inhaber Max Muster", acct("*:1234567890")),
    # --- Polish ----------------------------------------------------------------------------
    s("Twoja paczka czeka. Dopłać 1,99 zł: https://inpost-dostawa.pl-paczka.net/oplata",
      url("https://inpost-dostawa.pl-paczka.net/oplata"), exact=True),
    s("Przelej 1.200 zł na nr konta 61 1090 1014 0000 0712 1981 2874",
      acct("iban:PL61109010140000071219812874"), exact=True),
    s("Zadzwoń pod numer +48 512 345 678, numer zamówienia 1234567890",
      phone("+48512345678"), exact=True),
    s("Olx: kupujący wysłał link olx-pl.bezpieczna-platnosc.xyz/blik",
      url("https://olx-pl.bezpieczna-platnosc.xyz/blik")),
    s("Wpłać na rachunek PL61 1090 1014 0000 0712 1981 2874 tytułem: zwrot",
      acct("iban:PL61109010140000071219812874")),
    s("Napisz na Telegram @polska_inwestycje, zysk 300 zł dziennie",
      soc("telegram:polska_inwestycje")),
    s("Kontakt: biuro@allegro-weryfikacja.pl lub tel. +48 601 234 567",
      phone("+48601234567"), mail("biuro@allegro-weryfikacja.pl")),
    # --- negatives: dates, times, amounts, order and ID numbers ----------------------------
    s("Lãi suất 0,5%/tháng, vay tối đa 50 triệu trong 36 tháng", exact=True),
    s("Giá vàng hôm nay 12/03/2024: 79.500.000 đồng/lượng", exact=True),
    s("Mã giao dịch FT24072123456789 thành công lúc 14:22:05 ngày 12/03/2024", exact=True),
    s("Số dư tài khoản: 12.345.678 VND", exact=True),
    s("Hẹn gặp lúc 8h30 sáng thứ 2, phòng 1203", exact=True),
    s("Chuyến bay VN1234 khởi hành 06:45 ngày 2024-03-12", exact=True),
    s("Your verification code is 482913. Do not share it.", exact=True),
    s("Population of Hanoi: 8,435,700 (2023)", exact=True),
    s("Bestellung 302-1234567-1234567 vom 12.03.2024", exact=True),
    s("Zamówienie nr 1234567890 zostało wysłane 12.03.2024 o 14:30", exact=True),
    s("Kwota do zapłaty: 1.200 zł, termin 30.04.2024"),
    s("Tổng thiệt hại hơn 2 triệu USD, tương đương 50 tỷ đồng"),
    s("Phiên bản 2.3.15 đã ra mắt"),
    s("Điểm thi: 8.5, 9.0, 7.25"),
    s("Kết quả xổ số: 123456, 654321, 111222"),
    s("Số thẻ 4111 1111 1111 1111 hết hạn 12/26"),
    s("Tài khoản Facebook của bạn sẽ bị khóa sau 24 giờ"),
    s("ID: 100012345678901 (không phải link)"),
    s("Mật khẩu mới: Abc@12345"),
    s("Tỉ số 2-1, phút 90+3"),
    s("Nhiệt độ 35.5°C, độ ẩm 80%"),
    s("Hotline tổng đài viên làm việc từ 8:00 đến 17:00"),
    s("Tháng 3/2024 có 1.234 cuộc gọi lừa đảo"),
    s("Giá chỉ 199k, freeship đơn từ 300k"),
    s("Mã khuyến mãi SALE2024 giảm 50%"),
    s("Order no. 1002003004 shipped on 03/12/2024"),
    s("Call me at 10 pm tomorrow"),
    s("I paid $1,500 and €300 for the tickets"),
    s("Ihre Kundennummer: 0123456789"),
    s("Am 12.03.2024 um 14:30 Uhr wurden 1.500 € abgebucht"),
    s("Die Sendungsnummer 00340434161234567890 finden Sie in der App"),
    s("Termin: 2024-03-12T14:30:00"),
    s("Ngân hàng Nhà nước khuyến cáo không chuyển tiền cho người lạ"),
    s("Năm 1990 đến 2024 là 34 năm"),
    s("Bảng giá: 1.000.000 - 2.000.000 - 3.500.000"),
    s("Phương án 1: 0,5 tỷ; phương án 2: 1,2 tỷ"),
    s("Tọa độ 10.762622, 106.660172"),
    s("Vui lòng nhập mã xác nhận 093245 trong 5 phút"),
    s("Chúng tôi không bao giờ yêu cầu khách hàng cung cấp mật khẩu qua điện thoại"),
    s("Version 10.0.19045.3803"),
    s("Kích thước file 5.2 MB, tải về ngay"),
    s("Cao 1m65 nặng 52kg"),
    s("Giao hàng xong.Cảm ơn quý khách"),
    s("Done.Click the button below to continue"),
    s("Gửi file baocao.pdf và hopdong.docx"),
    s("Chạy script main.py rồi gửi data.zip"),
    s("Invalid-looking wallet 0x1234 is just text"),
    s("Ví sai checksum 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"),
    s("Số tiền 15 000 000 đ đã được chuyển ngày 01/02/2024"),
    s("Mã đơn hàng 2403120ABCD123, tổng 1.250.000đ, giao ngày 14/03"),
    s("Thanh toán 2.500.000 VNĐ cho đơn hàng 0987654321"),
    s("Số CMND 012345678 và CCCD 079203012345 của bạn đã được xác minh"),
    s("Rechnungsnummer 2024031200123, Betrag 49,99 EUR"),
    s("PESEL 90010112345 i NIP 1234563218 są wymagane"),
    s("Numer przesyłki 00123456789012345678, dostawa 13.03.2024"),
    s("The meeting is at 10:30 on 12/03/2024, room 2041"),
    s("Bạn đã thanh toán 1.299.000đ lúc 20:15 ngày 11/03/2024. Số dư 5.432.100đ"),
    s("Giảm giá 30%, chỉ còn 699.000đ đến hết 31.03.2024"),
    s("Phí ship 35.000đ, đơn tối thiểu 500.000đ"),
    s("IMEI 356938035643809 bị khóa"),
    s("Mã OTP của bạn là 09876543, hiệu lực 5 phút"),
    s("Booking code 08123456789 for flight VN231"),
    s("Reference 0912345678: payment received, thank you"),
    s("Ticket #0987654321 was closed on 2024-03-12"),
    s("Thời gian 2020-2024, tổng 1.200 vụ"),
    s("In 2024 wurden 1.250 Fälle gemeldet, Schaden 3,5 Mio. €"),
    s("W 2023 roku zgłoszono 12 345 oszustw na kwotę 5 mln zł"),
    s("Cuộc gọi lúc 0h15 ngày 02/01/2024 kéo dài 12 phút"),
    s("Khuyến mãi 11.11, giảm 111k cho đơn 999k"),
    s("Nhà số 12/3 đường 3/2, quận 10"),
    s("Tài khoản: hoangvan.a@gmail.com / mật khẩu: 123456789", mail("hoangvan.a@gmail.com")),
    s("Your Amazon account 112-3456789-1234567 was charged.", exact=True),
    s("Chuyển khoản 50000000 cho anh Minh ngày 12/03", exact=True),
    s("Số dư tài khoản 372000 sau giao dịch", exact=True),
    s("Giá chốt 19.000.000, còn 18000000 nếu lấy 2 cái", exact=True),
    s("BIDV thông báo: TK 21510001234567 của quý khách bị khóa, gọi 0969 123 456",
      acct(f"{BIDV}:21510001234567"), phone("+84969123456"), exact=True),
    s("Anh Tuấn - 0912345678 - STK 0912345678 Techcombank",
      phone("+84912345678"), acct(f"{TCB}:0912345678"), exact=True),
    s("Gọi 0912345678/0987654321 gặp chị Lan", phone("+84912345678"), phone("+84987654321")),
    s("Web giả vcb.com.vn-xacminh.com và https://vietcombank.com.vn.secure-login.top/ibanking",
      dom("vn-xacminh.com"), url("https://vietcombank.com.vn.secure-login.top/ibanking")),
    # --- more positives, mixed -------------------------------------------------------------
    s("Xem thêm tại vnexpress.net và tuoitre.vn", dom("vnexpress.net"), dom("tuoitre.vn")),
    s("Website chính thức: https://vietcombank.com.vn", url("https://vietcombank.com.vn/")),
    s("Mua hàng tại shopee.vn/product/12345/67890", url("https://shopee.vn/product/12345/67890")),
    s("Trang dichvucong.gov.vn là trang chính thống", dom("dichvucong.gov.vn")),
    s("Mã đơn hàng 1234567890, liên hệ shop 0912345678", phone("+84912345678")),
    s("Ngày 12/03/2024 nhận được cuộc gọi từ 0987654321 tự xưng công an", phone("+84987654321")),
    s("Chuyển 5,000,000 VND vào account 0071000123456 Vietcombank", acct(f"{VCB}:0071000123456")),
    s("Liên hệ: 091-234-5678 (anh Minh), 5.000.000đ/tháng", phone("+84912345678")),
    s("Chủ TK: NGUYEN VAN I - STK: 2345678901 - Ngân hàng TPBank", acct("970423:2345678901")),
    s("Gọi +84 91 234 5678 hoặc email lienhe@vaynhanh-24h.com",
      phone("+84912345678"), mail("lienhe@vaynhanh-24h.com")),
    s("HDBank 068704070012345 chủ tk Pham Van K", acct("970437:068704070012345")),
    s("Trang web giả mạo Bộ Công an: bocongan-gov.com, số điện thoại 0522 345 678",
      phone("+84522345678"), dom("bocongan-gov.com")),
]
# fmt: on
