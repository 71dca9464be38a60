-- wrk script: GET /v1/nodes/bench-NNNNN for a random seeded node name (1..N, N = first script arg).
-- Headers (API version, Accept) come from wrk's -H options via wrk.headers.
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  nodes = tonumber(args[1]) or 10000
  math.randomseed(os.time() * 100 + tid)   -- a different sequence per thread
end

function request()
  return wrk.format("GET", string.format("/v1/nodes/bench-%05d", math.random(nodes)))
end
