"""Commission plans and the monthly statements computed from them."""
