from django.utils.functional import SimpleLazyObject

from salesmgmt.models import CompanySettings


def company(request):
    return {"company": SimpleLazyObject(CompanySettings.load)}
