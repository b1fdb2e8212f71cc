# Live capture with each transfer strategy (dev,transfer=...): three captures on one veth end
# while tcpreplay sends a generated trace from the other.  Counts must equal the offline run's;
# `copied` shows the strategy at work: 0 for zero-copy, every packet for copy-once, exactly the
# packets an export kept for copy-on-demand.  The export's packets must stay readable after the
# ring blocks went back (as many pending as offline) with both copying strategies, and not with
# zero-copy.  The captures start at MTU 1500 (copy slots of 1600 bytes); the MTU is then raised
# so that the trace's jumbo frames arrive and are cut to the slot (slot_truncated).
# --lowest host: every function runs in the host engine, so every packet crosses the
# kernel→host bridge (AF_PACKET ring) that the strategies are about.
%script
. "$DATA/../cli/netns.sh"
netns_up 1500
num() { grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }
off=$($FFPF run -q --json -r "$T/small.pcap" '[ all:(count) | (bpf,"tcp") > x:(export) | big:(bpf,"greater 1601") | bigtcp:(bpf,"tcp and greater 1601") ]')
want_all=$(echo "$off" | grep '"name":"all"' | num packets)
want_tcp=$(echo "$off" | grep '"name":"x"' | num queued)
want_pending=$(echo "$off" | grep '"name":"x"' | num pending)
want_big=$(echo "$off" | grep '"name":"big"' | num matched)
want_bigtcp=$(echo "$off" | grep '"name":"bigtcp"' | num matched)
[ "$want_big" -gt 0 ] && [ "$want_bigtcp" -gt 0 ] || echo "the trace has no frames longer than a 1600-byte slot"
for x in zero-copy copy-once copy-on-demand; do
  ip netns exec $A $FFPF run -q --json --duration 4 --lowest host \
    "(dev,va,transfer=$x) > [ all:(count) | (bpf,\"tcp\") > x:(export) ]" > $x.json &
done
ready 3
for side in "$A va" "$B vb"; do set -- $side; ip -n $1 link set $2 mtu 9500; done
ip netns exec $B tcpreplay -q -i vb --mbps 50 "$T/small.pcap" > /dev/null 2>&1
wait
for x in zero-copy copy-once copy-on-demand; do
  dev=$(grep '"class":"dev"' $x.json) exp=$(grep '"name":"x"' $x.json)
  all=$(grep '"name":"all"' $x.json | num packets)
  copied=$(echo "$dev" | num copied) cut=$(echo "$dev" | num slot_truncated)
  tcp=$(echo "$exp" | num queued) pending=$(echo "$exp" | num pending)
  case $x in
  zero-copy) want_copied=0 want_cut= ;;
  copy-once) want_copied=$want_all want_cut=$want_big ;;
  copy-on-demand) want_copied=$want_tcp want_cut=$want_bigtcp ;;
  esac
  echo "$x:"
  [ "$all" = "$want_all" ] && echo "  all packets captured" || echo "  all: sent $want_all, got $all"
  [ "$tcp" = "$want_tcp" ] && echo "  export queued every tcp packet" || echo "  tcp: want $want_tcp, got $tcp"
  [ "$copied" = "$want_copied" ] && echo "  copied as the strategy says" || echo "  copied: want $want_copied, got $copied"
  [ "$cut" = "$want_cut" ] && echo "  slot_truncated as the strategy says" || echo "  slot_truncated: want '$want_cut', got '$cut'"
  if [ "$pending" = "$want_pending" ]; then echo "  exported packets readable after the ring went back"
  elif [ "$pending" -lt "$want_pending" ]; then echo "  exported packets lost with the ring blocks"
  else echo "  pending: offline $want_pending, got $pending"; fi
  echo "$dev" | grep -q '"ring_full":0' && echo "  no ring drops"
done
%expect
zero-copy:
  all packets captured
  export queued every tcp packet
  copied as the strategy says
  slot_truncated as the strategy says
  exported packets lost with the ring blocks
  no ring drops
copy-once:
  all packets captured
  export queued every tcp packet
  copied as the strategy says
  slot_truncated as the strategy says
  exported packets readable after the ring went back
  no ring drops
copy-on-demand:
  all packets captured
  export queued every tcp packet
  copied as the strategy says
  slot_truncated as the strategy says
  exported packets readable after the ring went back
  no ring drops
