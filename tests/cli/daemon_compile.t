# ffpfd compiles a changed flowgraph in a child process: while the compiler runs (here a slow
# one, $FFPF_CC), the daemon answers requests at once and the application's functions run
# interpreted, counting exactly; once compiled they run native, and count exactly too.
%script
FFPFD=$(dirname "$FFPF")/ffpfd
export FFPF_SOCKET=$PWD/d.sock XDG_CACHE_HOME=$PWD/cache
printf '#!/bin/sh\necho "$@" >> "%s/cc.log"\nsleep 3\nexec cc "$@"\n' "$PWD" > slowcc
chmod +x slowcc
FFPF_CC=$PWD/slowcc $FFPFD --settle 50 2> d.log &
dpid=$!
trap 'kill $dpid 2>/dev/null; wait $dpid 2>/dev/null' EXIT
for i in $(seq 50); do [ -S d.sock ] && break; sleep 0.1; done
$FFPF_GEN -q --seed 5 -c 20000 -o t.pcap
want=$(FFPF_SOCKET= $FFPF run -q --json --no-compile -r t.pcap '(bpf,"tcp") > c:(count)' | grep -o '"packets":[0-9]*' | tail -1)
$FFPF run -q --json -r t.pcap '(bpf,"tcp") > c:(count)' > one.json &
sleep 1 # the child is compiling (3 s)
t0=$(date +%s%N)
$FFPF status --json > status.json
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 1000 ] && echo "status answered while the compiler runs" || echo "status took $(((t1 - t0) / 1000000)) ms"
wait %2
[ "$(grep -o '"packets":[0-9]*' one.json | tail -1)" = "$want" ] && echo "first: exact"
# the same request again: its unit comes from the cache, the compiler does not run again
$FFPF run -q --json -r t.pcap '(bpf,"tcp") > c:(count)' > two.json
[ "$(grep -o '"packets":[0-9]*' two.json | tail -1)" = "$want" ] && echo "second: exact"
echo "the compiler ran $(wc -l < cc.log) time(s)"
# changes that keep coming faster than a compile (an application every 0.7 s, for 12 s) do not
# put the compile off for ever: a trace added meanwhile starts once a child has compiled and
# the settle cap has passed, long before the changes stop
$FFPF run -q --json -r t.pcap '(bpf,"udp") > c:(count)' > three.json &
x=$!
( for i in $(seq 20); do $FFPF run -q -r t.pcap "(bpf,\"len > $i\") > (count)" > /dev/null & sleep 0.7; done
  touch last-came; wait ) &
y=$!
wait $x
[ -e last-came ] && echo "third: waited for the changes to stop" || echo "third: done while applications still came"
wait $y
%expect
status answered while the compiler runs
first: exact
second: exact
the compiler ran 1 time(s)
third: done while applications still came
