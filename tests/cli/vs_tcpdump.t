# `bpf` selects what tcpdump selects, and counters agree, on generated traces.
%script
for f in 'tcp dst port 80' 'udp dst port 1434' 'vlan' 'ip6' 'arp' 'icmp' 'tcp[tcpflags] & tcp-syn != 0' 'ip[6:2] & 0x1fff != 0' 'less 100' 'not ip'; do
  # one packet may print several lines; its first starts with the -tt timestamp
  want=$(tcpdump -nn -tt -r "$T/mixed.pcap" "$f" 2>/dev/null | grep -c '^[0-9]')
  got=$($FFPF run -q -r "$T/mixed.pcap" "(bpf,\"$f\") > c:(count)" | awk '$1 == "c" { print $3 }')
  [ "$want" = "$got" ] && echo "same: $f" || echo "DIFFERENT: $f: tcpdump $want, ffpf $got"
done
%expect
same: tcp dst port 80
same: udp dst port 1434
same: vlan
same: ip6
same: arp
same: icmp
same: tcp[tcpflags] & tcp-syn != 0
same: ip[6:2] & 0x1fff != 0
same: less 100
same: not ip
