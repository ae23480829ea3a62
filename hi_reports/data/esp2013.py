"""The 2013 European Standard Population: reference data of the statistics (age standardisation)
and of the activity data (their age bands), here so that both import it without ``data`` depending
on ``stats``."""

#: The 2013 European Standard Population in 19 five-year bands, 0-4 to 90+ (Eurostat, 2013).
ESP2013: tuple[int, ...] = (
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
)  # fmt: skip

#: Labels of the ESP2013 bands, in the order of :data:`ESP2013`.
ESP2013_AGEBANDS: tuple[str, ...] = (*(f"{a}-{a + 4}" for a in range(0, 90, 5)), "90+")

__all__ = ["ESP2013", "ESP2013_AGEBANDS"]
