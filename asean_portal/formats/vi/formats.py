# Dates are typed as Vietnamese officials write them, day first: 22/11/2026.
# The admin's calendar writes the first format.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
FIRST_DAY_OF_WEEK = 1

# Dates in lists, notices and on the item pages: 03/08/2022. Django's
# Vietnamese short formats are d-m-Y, which a narrow line breaks at a hyphen.
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
# "Tháng 8 năm 2022", as Vietnamese writes a month (Django's is "Tháng 8 2022").
YEAR_MONTH_FORMAT = r"F \n\ă\m Y"
