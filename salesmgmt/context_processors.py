from django.utils.functional import SimpleLazyObject

from .models import CompanySettings


def company(request):
    return {"company": SimpleLazyObject(CompanySettings.load)}
