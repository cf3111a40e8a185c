-- HTTP/1.1 pipelining for wrk, as TechEmpower's plaintext test runs it:
-- every write carries DEPTH requests (wrk's first script argument, default
-- 16) and wrk waits for all their answers before writing the next batch.
--   wrk -t1 -c64 -d5s -s benches/pipeline.lua http://127.0.0.1:PORT/plaintext -- 16
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format()
  end
  req = table.concat(r)
end

request = function()
  return req
end
