from ninja import Schema


class FraudTypeOut(Schema):
    key: str
    name_vi: str
    name_en: str
    severity: int
    dsa_category: str
    dsa_keyword: str
