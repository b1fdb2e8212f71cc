# Makes the generated traces every test may use (deterministic: fixed seeds).
file(MAKE_DIRECTORY ${OUT})
foreach(spec "small;1;2000" "mixed;7;20000" "other;42;5000")
  list(GET spec 0 name)
  list(GET spec 1 seed)
  list(GET spec 2 count)
  execute_process(COMMAND ${GEN} --seed ${seed} --count ${count} -o ${OUT}/${name}.pcap
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ffpf-gen failed for ${name}: ${rc}")
  endif()
endforeach()
