"""followup: the follow-up logic after a job interview, as a REST service.

Every process reads one tz database, the `tzdata` package (a declared
dependency), never the host's /usr/share/zoneinfo. The service scales out as
stateless processes on several hosts and images; with each host's own files
the zones a process accepted could differ (a slim image has none, a Debian
host has links such as `localtime`), so an interview stored through one
process could answer 500 on another, or plan with other offsets.
"""

import zoneinfo

zoneinfo.reset_tzpath(())
