# Placement on the paper's machines (simulated boards from a hierarchy file): a filter fed by two
# boards sits at their lowest common successor, once, and one count follows it (paper §II-C).
%script
H="$FFPF_SRC/tests/data/hier"
$FFPF plan --hierarchy "$H/fig4.hier" '[ (dev,ixp0) | (dev,ixp1) ] > (bpf,"tcp") > (count)' | grep '^ *|* *\* ' | sed 's/^[ |`-]*//'
echo --
$FFPF plan --hierarchy "$H/fig4.hier" '(dev,ixp0) > (sample,10) > (count)' | grep '^ *|* *\* ' | sed 's/^[ |`-]*//'
echo --
$FFPF plan --hierarchy "$H/fig4.hier" '(dev,ixp0) > (dump,"x.pcap") > (count)' | grep '^ *|* *\* ' | sed 's/^[ |`-]*//'
echo --
printf 'flowspace b0 kind=sim parent=nosuch\n' > bad.hier
$FFPF plan --hierarchy bad.hier '(dev,ixp0) > (count)' | grep -c 'bad.hier:1:'
%expect
* bpf#2 (bpf)  path 0x0FFFFFFF  <- ixp0.me(shm), ixp1.me(shm), ixp0(pci), ixp1(pci)
* count#3 (count)  path 0x0FFFFFFF
* dev#0 (dev ixp0)  path 0x000FFFFF  [source, up]
* dev#1 (dev ixp1)  path 0x010FFFFF  [source, up]
--
* dev#0 (dev ixp0)  path 0x000FFFFF  [source]
* sample#1 (sample)  path 0x000FFFFF
* count#2 (count)  path 0x000FFFFF
--
* dump#1 (dump)  path 0xFFFFFFFF  <- ixp0.me(shm), ixp0(pci), kernel(af_packet)
* count#2 (count)  path 0xFFFFFFFF
* dev#0 (dev ixp0)  path 0x000FFFFF  [source, up]
--
1
