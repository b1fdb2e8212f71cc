# -c N reads exactly N packets (a normal end, exit 0); bad numbers are usage errors.
%script
$FFPF run -q --json -c 300 -r "$T/small.pcap" '[ (count) | (bpf,"tcp") > (dump,"t.pcap") ]' | grep -o '"packets":[0-9]*' | head -2
echo "status $?"
$FFPF run -q -c abc -r "$T/small.pcap"; echo "status $?"
$FFPF run -q --duration 0 -r "$T/small.pcap"; echo "status $?"
%expect
"packets":300
"packets":300
status 0
status 2
status 2
%stderr
-c wants a packet count above 0, not 'abc'
--duration wants seconds above 0, not '0'
