"""One way to write a date across both portals, the support console and the API's pages.

A time names its zone (UTC): the pages' script then rewrites it into the reader's own zone,
keeping these words in the element's title; the console shows them as they are.
"""

DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y H:i T"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
