# Request-language errors: line:column, the text with a caret, what was expected; exit status 2.
%script
$FFPF plan '(file,"a.pcap") > (bpf,"tcp"' ; echo "status $?"
$FFPF plan -r "$T/small.pcap" '(bpf,"tcp") > (nosuchclass,1)' ; echo "status $?"
printf '(file,"%s")\n  > (count,extra=1)\n' "$T/small.pcap" > req.txt
$FFPF plan -f req.txt ; echo "status $?"
$FFPF plan '(bpf,"tcp") > (count)' ; echo "status $?"
$FFPF plan 'a:(count) > (bytes) > @a' ; echo "status $?"
$FFPF plan '(file,"/nonexistent/x.pcap") > (count)' ; echo "status $?"
$FFPF plan -r /dev/null '(bpf,"tcp dst prt 80")' ; echo "status $?"
$FFPF plan -r /dev/null '(sample,zero)' ; echo "status $?"
$FFPF plan -r "$T/small.pcap" '(count) > (file,"x")' ; echo "status $?"
%expect
status 2
status 2
status 2
status 2
status 2
status 2
status 2
status 2
status 2
%stderr
request:1:29: error: missing ')'
unknown function class 'nosuchclass'
req.txt:2:12:
unknown parameter 'extra'
has no input
cycle
cannot open '/nonexistent/x.pcap'
cannot compile "tcp dst prt 80"
must be a non-negative integer
is a source and cannot read from other functions
