"""The global search on /api/v1/search/: the search page's groups, in the same scope."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from activities.search import selectors
from activities.search.serializers import SearchQuerySerializer, SearchResultsSerializer
from salesmgmt.api_schema import ErrorSerializer


@extend_schema(
    parameters=[SearchQuerySerializer],
    responses={
        200: SearchResultsSerializer,
        400: OpenApiResponse(ErrorSerializer, description=_("`q` is too short or too long.")),
    },
)
@api_view(["GET"])
def search(request):
    """Customers, contacts, deals and reps whose name, phone or e-mail contains `q`,
    among those you may see (a rep: their own; a manager: their teams'; a director:
    their division's; an admin: everyone's).

    Customers match on name, city, phone, e-mail or a contact's name, phone or e-mail
    (as `/customers/?q=`); contacts on name, phone or e-mail; deals on title or
    customer name (as `/deals/?q=`); reps on every word of `q` in their name, username
    or e-mail. Phone numbers match ignoring spaces, dashes and brackets. Each group
    holds its first `limit` results and the `count` of all that match."""
    query = SearchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    text = selectors.clean_query(query.validated_data["q"])
    results = selectors.search(request.user, text, limit=query.validated_data["limit"])
    return Response(SearchResultsSerializer({"q": text, **vars(results)}).data)
