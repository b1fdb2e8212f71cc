# Compiled and interpreted runs give the same results; the plan says which runs how, and why.
%script
R='[ (bpf,"tcp dst port 80") > (count) | (bpf,"udp") > (sample,3) > (head,50) > (bytes) | (bpf,"vlan") > (dump,"v.pcap") > (count) ]'
$FFPF run -q --json -r "$T/mixed.pcap" "$R" | sed 's/"mode":"[a-z]*",//g; s/"why":"[^"]*",//g' > compiled.json
$FFPF run -q --json --no-compile -r "$T/mixed.pcap" "$R" | sed 's/"mode":"[a-z]*",//g; s/"why":"[^"]*",//g' > interp.json
cmp compiled.json interp.json && echo same results
$FFPF run -q --json -r "$T/mixed.pcap" "$R" | grep -o '"class":"[a-z]*"\|"mode":"[a-z]*"' | paste -d' ' - -
$FFPF plan -r "$T/mixed.pcap" "$R" | grep -c 'interpreted: class has no C emitter'
$FFPF plan --no-compile -r "$T/mixed.pcap" "$R" | grep -c 'interpreted: --no-compile'
$FFPF plan --emit-c -r "$T/mixed.pcap" "$R" | grep -c '^void ffpf_stage_[0-9]*(struct ffpf_stage_io \*io)$'
%expect
same results
"class":"file" "mode":"source"
"class":"bpf" "mode":"compiled"
"class":"bpf" "mode":"compiled"
"class":"bpf" "mode":"compiled"
"class":"count" "mode":"compiled"
"class":"sample" "mode":"compiled"
"class":"dump" "mode":"interpreted"
"class":"head" "mode":"compiled"
"class":"count" "mode":"compiled"
"class":"bytes" "mode":"compiled"
1
9
2
