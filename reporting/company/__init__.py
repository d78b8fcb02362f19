"""The director's and admin's figures: the company dashboard and monthly report."""
