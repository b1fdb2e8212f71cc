# Garbage, empty and truncated traces: a clear error naming the file, exit 1, no results shown.
%script
head -c 5000 /dev/urandom > garbage.pcap
: > empty.pcap
head -c 30 "$T/small.pcap" > short-header.pcap
for f in garbage.pcap empty.pcap short-header.pcap; do
  $FFPF run -q -r $f '(count)' > out.txt; echo "$f status $? lines $(wc -l < out.txt)"
done
%expect
garbage.pcap status 1 lines 0
empty.pcap status 1 lines 0
short-header.pcap status 1 lines 0
%stderr
cannot read 'garbage.pcap' as a pcap or pcapng file
cannot read 'empty.pcap'
