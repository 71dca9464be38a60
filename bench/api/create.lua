-- wrk script: POST /v1/nodes with a unique name per request, c-<thread>-<counter>.
-- Content-Type and the API version header come from wrk's -H options via wrk.headers.
-- Run it last: every request adds a node to the store.
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function request()
  counter = counter + 1
  local body = string.format('{"driver":"fake-hardware","name":"c-%d-%d"}', tid, counter)
  return wrk.format("POST", "/v1/nodes", nil, body)
end
