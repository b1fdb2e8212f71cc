# Identical functions asked for twice (in one request, or by two requests) run once.
%script
$FFPF plan -r "$T/small.pcap" '(bpf,"tcp") > (count)' '(bpf, expr="tcp") > [ (count) | (bytes) ]' | head -1
$FFPF run -q --json -r "$T/small.pcap" '[ (bpf,"udp") > (count) | (bpf,"udp") > (count) ]' | grep -c '"class":"count"'
$FFPF plan -r "$T/small.pcap" '(bpf,"tcp") > (count)' '(bpf,"tcp") > (count)' | grep -c 'shared by 2 requests'
%expect
flowgraph: 4 functions from 2 requests, 3 shared
1
3
