# ffpfd with the ffpf command as its application: the same results as in-process, two
# applications sharing one flowgraph (ffpf status shows the users), the daemon's own errors.
%script
[ "$(id -u)" = 0 ] || { echo "skip: two applications on one live source need root (lo)" >&2; exit 77; }
FFPFD=$(dirname "$FFPF")/ffpfd
export FFPF_SOCKET=$PWD/d.sock
$FFPFD --group uid 2> d.log &
dpid=$!
trap 'kill $dpid 2>/dev/null; wait $dpid 2>/dev/null' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S d.sock ] && break; sleep 0.1; done
R='[ all:(count) | (bpf,"udp port 53") > dns:(count) | (bytes) ]'
FFPF_SOCKET= $FFPF run -q --json -r "$T/mixed.pcap" "$R" | grep -o '"name":"[a-z#0-9]*"\|"packets":[0-9]*\|"bytes":[0-9]*' > embedded.txt
$FFPF run -q --json -r "$T/mixed.pcap" "$R" > served.json
grep -o '"name":"[a-z#0-9]*"\|"packets":[0-9]*\|"bytes":[0-9]*' served.json > served.txt
cmp -s embedded.txt served.txt && echo "served results = in-process results"
grep -q '"flowspace":"ffpfd"' served.json && echo "served by the daemon"
# two applications at once on a live source: one flowgraph, two users
$FFPF run -q --duration 2 -i lo --lowest host "$R" > a.txt &
$FFPF run -q --duration 2 -i lo --lowest host "$R" > b.txt &
sleep 1
$FFPF status --json > status.json
wait %2 %3
echo "functions in the flowgroup: $(grep -o '"class":"[a-z]*"' status.json | wc -l), users 2: $(grep -o '"users":2' status.json | wc -l)"
$FFPF status | head -1 | cut -c1-7
# after both left, nothing remains
sleep 0.3
echo "after: $(FFPF_SOCKET=$PWD/d.sock $FFPF status --json | grep -o '"class":"[a-z]*"' | wc -l) functions"
# errors
$FFPFD --socket $PWD/d.sock 2>&1 | sed "s|$PWD/d.sock|SOCK|"; echo "second daemon: status ${PIPESTATUS[0]}"
$FFPFD --group nobody 2>&1; echo "status $?"
$FFPF run --daemon $PWD/none.sock -r "$T/small.pcap" "(count)" 2>&1 | sed "s|$PWD/none.sock|NONE|g"; echo "status ${PIPESTATUS[0]}"
$FFPF run -q -r "$T/small.pcap" '(count' > /dev/null 2> syntax.err; echo "syntax error through the daemon: status $?"
head -1 syntax.err
%expect
served results = in-process results
served by the daemon
functions in the flowgroup: 5, users 2: 5
{"pid":
after: 0 functions
ffpfd: another ffpfd already serves SOCK
second daemon: status 1
ffpfd: --group wants uid, gid, pid or all, not 'nobody'
status 2
ffpf: cannot reach the ffpf daemon at NONE: connect to NONE: No such file or directory
status 1
syntax error through the daemon: status 2
request:1:7: error: missing ')' to close '(' at 1:1
