# The failover plot of scripts/bench.sh: acknowledged orders/s and the worst latency per 10 ms
# bucket, and the orders of each 1 ms bucket ±0.1 s around the kill. Given with -e: out (the
# PNG), data (10 ms buckets), fine (1 ms buckets), secs (the run's length), kill_s, heading.
set terminal pngcairo size 1200,900 font "DejaVu Sans,11" noenhanced
set output out
set datafile separator ","
set key top right
set grid
set lmargin 12
set xrange [0:secs]
set multiplot layout 3,1 title heading
set arrow 1 from kill_s, graph 0 to kill_s, graph 1 nohead lc rgb "red" lw 2
set label 1 "kill -9" at kill_s, graph 0.92 offset 0.5,0 tc rgb "red"
set ylabel "orders/s (per 10 ms bucket)"
set xlabel "time since the load began (s)"
plot data every ::1 using ($1/1000):($2*100) with lines lc rgb "#1f77b4" title "acknowledged orders/s"
set ylabel "max latency in bucket (ms)"
set logscale y
plot data every ::1 using ($1/1000):($3 > 0 ? $3 : 1/0) with lines lc rgb "#ff7f0e" title "max latency (ms, log scale)"
unset logscale y
set xrange [kill_s - 0.1 : kill_s + 0.1]
set ylabel "orders per 1 ms bucket"
set xlabel "time since the load began (s), ±0.1 s around the kill"
set style fill solid 0.6
plot fine every ::1 using ($1/1000 + 0.0005):2 with boxes lc rgb "#1f77b4" title "acknowledged orders per ms"
unset multiplot
