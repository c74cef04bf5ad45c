from django.http import HttpRequest
from ninja import Router

from fraudhub.core.http import authorize, needs
from fraudhub.core.roles import Perm
from fraudhub.taxonomy.schemas import FraudTypeOut
from fraudhub.taxonomy.selectors import fraud_type_list

router = Router(tags=["taxonomy"])


@router.get("/taxonomy", response=list[FraudTypeOut], openapi_extra=needs(Perm.TAXONOMY_READ))
def list_fraud_types(request: HttpRequest) -> list[FraudTypeOut]:
    authorize(request, Perm.TAXONOMY_READ)
    return [FraudTypeOut(**ft.__dict__) for ft in fraud_type_list()]
