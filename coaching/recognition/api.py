"""REST endpoints of coaching.recognition (routed from salesmgmt/api_urls.py)."""

urlpatterns = []
