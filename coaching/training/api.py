"""REST endpoints of coaching.training (routed from salesmgmt/api_urls.py)."""

urlpatterns = []
