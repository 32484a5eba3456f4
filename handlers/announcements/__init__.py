"""The announcement desk: notices to the estate, buildings, households in arrears, residents
who asked for a service we lacked (001 §2.2.7), staff or one trade; and planned outages.

Staff compose (``/announce``, or ``frontline announce``), a manager approves the preview,
the drain sends it at bulk priority in daytime (unless urgent), each recipient once; the
author gets the delivery report; a wrong notice is recalled. While an outage runs, a resident
of its buildings who reports that utility gets the notice instead of a work order.
"""
