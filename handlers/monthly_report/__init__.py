"""The monthly service report (客户服务信息统计分析汇总表, 001 §2.8.3; 第四篇 5(5)) and the
managers' daily digest.

- ``figures``: a month's figures from the tables, put together (how each is derived is
  written there), read by ``service_levels`` (requests, times, SLA clocks, rework),
  ``satisfaction`` (ratings, the words of dissatisfaction), ``callbacks`` and ``other_desks``
  (services we lack, fees, complaints), from ``tables``; ``months`` names and bounds a month;
- ``causes``: the main causes of dissatisfaction, keywords and phrases (jieba.analyse);
- ``report``: the month with the previous one, the headline figures;
- ``message``, ``charts``, ``export``: the chat message, the PNG charts (CJK font checked),
  the XLSX workbook and the CSV files;
- ``publish``: making the files and posting to the managers' chat on the report day, once;
- ``digest``: the daily digest (open emergencies, overdue, untaken jobs, complaints near
  their clock).
"""
