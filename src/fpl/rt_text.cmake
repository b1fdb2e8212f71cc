# rt_text.cmake — turns src/fpl/rt.h into a C string literal (one "...\n" per line), so the
# emitted C gets exactly the run-time library the interpreter was compiled with.
#   cmake -DIN=src/fpl/rt.h -DOUT=src/fpl/rt_text.inc -P src/fpl/rt_text.cmake
file(READ ${IN} text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\t" "\\t" text "${text}")
string(REPLACE "\n" "\\n\"\n\"" text "${text}")
set(text "/* generated from rt.h by rt_text.cmake: do not edit */\n\"${text}\"\n")
file(WRITE ${OUT}.tmp "${text}")
configure_file(${OUT}.tmp ${OUT} COPYONLY)
file(REMOVE ${OUT}.tmp)
