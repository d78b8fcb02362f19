"""REST endpoints of coaching.sessions (routed from salesmgmt/api_urls.py)."""

urlpatterns = []
