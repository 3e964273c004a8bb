-- Neovim as coord lsp's client, for tests/lsp/test_neovim.py: run by
--   nvim --headless --clean -c "lua dofile(os.getenv('COORD_NVIM_SCRIPT'))"
-- with, in the environment,
--   COORD_PYTHON  the python whose coordlang serves (python -m coordlang lsp)
--   COORD_ROOT    the workspace folder (the server's root)
--   COORD_FILE    the .coord file to open
--   COORD_PLAN    JSON: {"completion": {NAME: [line, character], ...}, "hover": {NAME: [line, character], ...}}
--                 (0-based, UTF-16 columns: LSP positions)
--   COORD_OUT     where to write, as JSON, everything the server sent back
-- It registers the coord filetype, starts the server on the file, waits for its diagnostics,
-- asks for each completion and hover of the plan, writes the output and quits, on an error too
-- (then the output's "error" says what went wrong). Neovim 0.7 (Debian 12's) and later.

local WAIT_MS = 30000
local out = { error = vim.NIL, published = {}, diagnostics = {}, completion = {}, hover = {} }

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error(name .. " is not set")
  end
  return value
end

local function main()
  local python, root, file = env("COORD_PYTHON"), env("COORD_ROOT"), env("COORD_FILE")
  local plan = vim.json.decode(env("COORD_PLAN"))

  -- *.coord files are of the coord filetype. vim.filetype.add is what Neovim 0.8+ reads; 0.7
  -- reads it only with g:do_filetype_lua set before startup, so there an ftdetect-style
  -- autocommand does the same.
  vim.filetype.add({ extension = { coord = "coord" } })
  if vim.fn.has("nvim-0.8") == 0 and vim.g.do_filetype_lua ~= 1 then
    vim.cmd("autocmd BufRead,BufNewFile *.coord setfiletype coord")
  end
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[bufnr].filetype

  local config = {
    name = "coord",
    cmd = { python, "-m", "coordlang", "lsp" },
    root_dir = root,
    handlers = {
      -- every notification, as sent (Neovim's own diagnostics keep only the latest)
      ["textDocument/publishDiagnostics"] = function(err, result, ctx, cfg)
        table.insert(out.published, result)
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, cfg)
      end,
    },
    on_exit = function(code, signal)
      out.server_exit = { code = code, signal = signal }
    end,
  }
  local client_id
  if vim.lsp.start then -- 0.8+
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    if client_id then
      vim.lsp.buf_attach_client(bufnr, client_id)
    end
  end
  if not client_id then
    error("the coord language server did not start")
  end

  local uri = vim.uri_from_bufnr(bufnr)
  local arrived = vim.wait(WAIT_MS, function()
    for _, params in ipairs(out.published) do
      if params.uri == uri then
        return true
      end
    end
    return false
  end, 20)
  if not arrived then
    error("no diagnostics for " .. uri .. " within " .. WAIT_MS .. " ms")
  end
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do -- what the user sees, as Neovim converted it
    table.insert(out.diagnostics, {
      lnum = d.lnum, col = d.col, severity = d.severity,
      message = d.message, code = d.code == nil and vim.NIL or d.code, source = d.source or vim.NIL,
    })
  end

  local function request(method, at)
    local params = { textDocument = { uri = uri }, position = { line = at[1], character = at[2] } }
    local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, WAIT_MS)
    if not responses then
      error(method .. " at " .. vim.inspect(at) .. ": " .. tostring(err))
    end
    local response = responses[client_id]
    if response == nil then
      error(method .. " at " .. vim.inspect(at) .. ": no response from the coord client")
    end
    if response.err or response.error then
      error(method .. " at " .. vim.inspect(at) .. ": " .. vim.inspect(response.err or response.error))
    end
    return response.result
  end

  for name, at in pairs(plan.completion or {}) do
    local result = request("textDocument/completion", at)
    local items = result
    if type(result) == "table" and result.items ~= nil then
      items = result.items
    end
    local labels = {}
    for _, item in ipairs(type(items) == "table" and items or {}) do
      table.insert(labels, item.label)
    end
    out.completion[name] = labels
  end
  for name, at in pairs(plan.hover or {}) do
    out.hover[name] = request("textDocument/hover", at) -- {contents = {kind, value}, range} or null
  end

  -- a clean shutdown, so the output says how the server ended
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return out.server_exit ~= nil end, 20)
end

local ok, err = pcall(main)
if not ok then
  out.error = tostring(err)
end
local written, werr = pcall(function()
  local f = assert(io.open(os.getenv("COORD_OUT") or "neovim_client.json", "w"))
  f:write(vim.json.encode(out))
  f:close()
end)
if not written then
  io.stderr:write("neovim_client.lua: cannot write the output: " .. tostring(werr) .. "\n")
  vim.cmd("cquit 2")
end
vim.cmd("qa!")
