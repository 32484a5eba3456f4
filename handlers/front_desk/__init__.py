"""The front desk: complaints, enquiries and fee questions waiting for a human answer, and the
24-hour rule for them."""
