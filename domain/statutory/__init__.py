"""Statutory schemes the product applies beside an employer's policy."""
