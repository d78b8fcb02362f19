"""REST endpoints of coaching.feedback (routed from salesmgmt/api_urls.py)."""

urlpatterns = []
