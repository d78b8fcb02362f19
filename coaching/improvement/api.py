"""REST endpoints of coaching.improvement (routed from salesmgmt/api_urls.py)."""

urlpatterns = []
