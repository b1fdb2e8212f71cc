# bench/daemon.gp — the plots of bench/daemon.sh (which calls it; not meant to be run alone).
# Variables (gnuplot -e): dir (the data files live.dat, same.dat, file.dat), outdir, pngterm
# (pngcairo or png), gen (the replay rate), fpk (packets in the file of case 3).
#   live.dat, same.dat: N  tcpdump_proc  tcpdump_total  ffpf_proc  ffpf_total  ffpfd_alone  (ns/packet)
#   file.dat:           N  tcpdump_wall  tcpdump_cpu  ffpf_wall  ffpf_cpu  inproc_wall  inproc_cpu  ffpfd_done  ffpfd_cc  (s)
if (!exists("pngterm")) pngterm = "pngcairo"
if (!exists("gen")) gen = "?"
if (!exists("fpk")) fpk = "?"
if (pngterm eq "pngcairo") {
	set terminal pngcairo size 1200,600 font "Sans,11" noenhanced
} else {
	set terminal png size 1200,600 noenhanced
}
set datafile missing "?"
set grid
set key below horizontal maxrows 3 font ",10"
set logscale x 2
set xtics ("1" 1, "2" 2, "4" 4, "8" 8)
set xrange [0.8:10]
set yrange [0:*]
set xlabel "N applications (N different filters)"

# ---- (1) (2) live: CPU per packet vs N -------------------------------------------------------------
set output outdir."/daemon-live.png"
set multiplot layout 1,2 title "N applications on one ffpfd vs N tcpdumps, live on a veth pair at ".gen
set title "capture processes (N tcpdumps | ffpfd + N clients)"
set ylabel "CPU ns per packet on the wire"
plot dir."/live.dat" using 1:2 with linespoints lw 2 pt 7 ps 1.3 lc rgb "#08519c" title "N × tcpdump", \
     ""              using 1:4 with linespoints lw 2 pt 5 ps 1.3 lc rgb "#e6550d" title "ffpfd + N ffpf clients", \
     ""              using 1:6 with linespoints lw 1 dt 2 pt 4 lc rgb "#fd8d3c" title "ffpfd alone", \
     dir."/same.dat" using 1:2 with points pt 6 ps 2.2 lw 2 lc rgb "#08519c" title "8 × tcpdump, identical filters", \
     ""              using 1:4 with points pt 4 ps 2.2 lw 2 lc rgb "#e6550d" title "ffpfd + 8, identical requests"
set title "processes + kernel side (sender system + ksoftirqd) over no capture"
plot dir."/live.dat" using 1:3 with linespoints lw 2 pt 7 ps 1.3 lc rgb "#08519c" title "N × tcpdump", \
     ""              using 1:5 with linespoints lw 2 pt 5 ps 1.3 lc rgb "#e6550d" title "ffpfd + N ffpf clients", \
     dir."/same.dat" using 1:3 with points pt 6 ps 2.2 lw 2 lc rgb "#08519c" title "8 × tcpdump, identical filters", \
     ""              using 1:5 with points pt 4 ps 2.2 lw 2 lc rgb "#e6550d" title "ffpfd + 8, identical requests"
unset multiplot

# ---- (3) file: CPU and wall time vs N --------------------------------------------------------------
set output outdir."/daemon-file.png"
set multiplot layout 1,2 title "N applications reading one trace file (".fpk." packets)"
set title "total CPU"
set ylabel "CPU s"
plot dir."/file.dat" using 1:3 with linespoints lw 2 pt 7 ps 1.3 lc rgb "#08519c" title "N × tcpdump -r", \
     ""              using 1:5 with linespoints lw 2 pt 5 ps 1.3 lc rgb "#e6550d" title "ffpfd + N clients (-r via the daemon)", \
     ""              using 1:9 with linespoints lw 1 dt 2 pt 5 lc rgb "#fd8d3c" title "of which ffpfd's compiler children (cc)", \
     ""              using 1:7 with linespoints lw 1 dt 2 pt 4 lc rgb "#31a354" title "one ffpf, N filters in one request"
set title "wall time"
set ylabel "s"
plot dir."/file.dat" using 1:2 with linespoints lw 2 pt 7 ps 1.3 lc rgb "#08519c" title "N × tcpdump -r", \
     ""              using 1:4 with linespoints lw 2 pt 5 ps 1.3 lc rgb "#e6550d" title "ffpfd + N clients (-r via the daemon)", \
     ""              using 1:8 with linespoints lw 1 dt 2 pt 5 lc rgb "#fd8d3c" title "ffpfd done reading (last 10 ms at > half a core)", \
     ""              using 1:6 with linespoints lw 1 dt 2 pt 4 lc rgb "#31a354" title "one ffpf, N filters in one request"
unset multiplot
