"""The scale company (``manage.py seed_scale``): see ``company.py``."""
