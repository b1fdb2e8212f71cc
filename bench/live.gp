# bench/live.gp — the plots of bench/live.sh (which calls it; not meant to be run alone).
# Variables (gnuplot -e): dir (the data files main.dat, fig6.dat, fig7.dat, fig7idle.dat), outdir, pngterm
# (pngcairo or png), xfers (the titles of fig6.dat's blocks, in order), gen (the generator's rate).
if (!exists("pngterm")) pngterm = "pngcairo"
if (!exists("xfers")) xfers = "default"
if (!exists("gen")) gen = "?"
if (pngterm eq "pngcairo") {
	set terminal pngcairo size 1200,520 font "Sans,11" noenhanced
} else {
	set terminal png size 1200,520 noenhanced
}
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key below horizontal
set yrange [0:*]
set offsets 0, 0, graph 0.05, 0

# ---- (a) (b) (c) vs tcpdump: rate and CPU per packet -----------------------------------------------
set output outdir."/live-capture.png"
set multiplot layout 1,2 title "Live capture on a veth pair, tcp dst port 80 (generator: ".gen.")"
set title "packets per second, generator at top speed"
set ylabel "kpps"
plot dir."/main.dat" using 2:xtic(1) title "offered" lc rgb "#9ecae1", \
     ""              using 3         title "processed (offered minus lost)" lc rgb "#08519c"
set title "CPU per packet on the wire (stacked)"
set ylabel "ns / packet"
set style histogram rowstacked
set boxwidth 0.6
plot dir."/main.dat" using 4:xtic(1) title "capture process" lc rgb "#e6550d", \
     ""              using ($5 > 0 ? $5 : 0) title "kernel side (sender+softirq over no-capture)" lc rgb "#fdae6b"
unset multiplot
set style histogram clustered gap 1
set boxwidth 0.9

# ---- (d) Fig. 6: transfer strategies × reads per packet --------------------------------------------
set output outdir."/live-fig6.png"
set style data linespoints
set xtics 0,1,2
set xrange [-0.2:2.2]
set xlabel "reads per packet (0: (count); 1: one filter; 2: two filters)"
set multiplot layout 1,2 title "Fig. 6 on a veth pair: transfer strategies (generator: ".gen.")"
set title "processed rate"
set ylabel "kpps"
plot for [i=1:words(xfers)] dir."/fig6.dat" index (i-1) using 1:2 title word(xfers,i) lw 2 pt 7 ps 1.3
set title "CPU of the capture process"
set ylabel "ns / packet"
plot for [i=1:words(xfers)] dir."/fig6.dat" index (i-1) using 1:3 title word(xfers,i) lw 2 pt 7 ps 1.3
unset multiplot

# ---- (e) Fig. 7: waiting modes ---------------------------------------------------------------------
set output outdir."/live-fig7.png"
set style data histograms
set autoscale x
set xtics autofreq
unset xlabel
set multiplot layout 1,2 title "Fig. 7 on a veth pair: waiting modes (generator: ".gen.")"
set title "idle: no traffic"
set ylabel "CPU % of one core"
plot dir."/fig7idle.dat" using 2:xtic(1) title "capture process" lc rgb "#e6550d", \
     ""                  using 0:2:(sprintf("%.2f %%", $2)) with labels offset 0,0.8 notitle
set title "peak: generator at top speed"
set ylabel "kpps"
plot dir."/fig7.dat" using 4:xtic(1) title "offered" lc rgb "#9ecae1", \
     ""              using 3         title "processed (offered minus lost)" lc rgb "#08519c", \
     ""              using 5         title "max loss-free (= offered: generator-bound)" lc rgb "#31a354"
unset multiplot
