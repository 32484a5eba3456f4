"""The fee desk (001 第五篇 收费员; 第四篇 2(4)): bills per household and period, payments that
pay the oldest bill first, late fees to the fen, the payment / overdue / final notice ladder on
the office's calendar, campaigns a manager approves before the desk sends them, and what
residents and staff do about fees (statements, receipts, disputes, visits, formal follow-up).

- ``money``, ``late_fee``, ``ladder``, ``statement``: pure rules and figures;
- ``ledger``: bills (generated, imported, paid work), payments, waivers, arrears;
- ``campaigns``: preparing, previewing, approving and sending a notice of the ladder;
- ``residents`` and ``staff``: the buttons and answers of each side;
- ``follow_up``: the formal follow-up list (phone → letter → door visit → legal).
"""
