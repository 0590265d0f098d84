"""The colour and line style of curve i, shared by the plot scripts of this folder: every curve of a
plot distinct in both (20 colours of tab20 against 4 dash patterns; curve i and i + 20 still differ
in dashes)."""
import matplotlib.pyplot as plt


def curve_style(i):
    colours = plt.get_cmap("tab20").colors
    dashes = ["-", "--", "-.", ":"]
    return {"color": colours[(2 * i) % 20 + (i // 10) % 2], "linestyle": dashes[(i + i // 20) % len(dashes)]}
