"""The pandoc Lua filter of the builtin engine, kept as a string so it ships with the package.

The builtin engine concatenates the chapters into one markdown document, each chapter wrapped in a
``hi-chapter`` div (``file`` attribute = chapter file name), and runs pandoc once per output format
with this filter. The filter:

* rewrites links between chapters (``imd.qmd``, ``imd.qmd#sec-x``) to in-document anchors
  (``#<first heading id of imd.qmd>``, ``#sec-x``); a link to a ``.qmd`` file that is not a chapter
  of the book stops pandoc with an error naming both files;
* turns Quarto callouts (``::: {.callout-note}`` with an optional ``## Title`` or ``title=``)
  into a styled box for each format (HTML div, Typst ``board-callout``, Word custom style);
* uses Quarto's ``fig-alt`` attribute as the image's alternative text;
* leaves the sections of an unnumbered chapter (``# Preface {.unnumbered}``) unnumbered;
* in HTML, replaces each chapter div by a ``<!-- hi-chapter: file -->`` marker, which the engine
  uses to split the document into one page per chapter; elsewhere it unwraps the div;
* with the metadata ``hi-typst-output=<file>``, also writes the Typst body (as ``--to typst
  --wrap=preserve`` would) to that file: the HTML and the PDF of an edition then cost one pandoc
  run and one parse of the markdown instead of two.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

LUA_FILTER = r"""
local chapter_ids = {}   -- chapter file -> identifier of its first level-1 heading
local current = "?"      -- chapter being walked, for error messages
local target = FORMAT    -- the format being made: pandoc's, or "typst" for the Typst side output

local default_titles = {
  note = "Note", tip = "Tip", important = "Important", warning = "Warning", caution = "Caution",
}

local function is_html() return target:match("html") ~= nil end

local function basename(path) return (path:gsub("^.*/", "")) end

local function fix_link(link)
  local t = link.target
  if t:match("^%a[%w+.-]*:") then return nil end  -- http:, mailto:, ...
  local file, anchor = t:match("^([^#]-%.qmd)(#?.*)$")
  if not file then return nil end
  file = basename(file)
  local id = chapter_ids[file]
  if id == nil then
    error("chapter " .. current .. " links to " .. t .. ", but " .. file ..
          " is not a chapter of the book", 0)
  end
  if anchor ~= "" and anchor ~= "#" then
    link.target = anchor
  else
    link.target = "#" .. id
  end
  return link
end

local function fig_alt(img)
  local alt = img.attributes["fig-alt"]
  if alt then
    img.attributes["fig-alt"] = nil
    img.caption = pandoc.Inlines({pandoc.Str(alt)})
    return img
  end
  return nil
end

local function callout_kind(div)
  for _, c in ipairs(div.classes) do
    local k = c:match("^callout%-(%a+)$")
    if k then return k end
  end
  return nil
end

local function callout(div)
  local kind = callout_kind(div)
  if not kind then return nil end
  local body = pandoc.List(div.content)
  local title
  if div.attributes["title"] then
    title = pandoc.utils.blocks_to_inlines(pandoc.read(div.attributes["title"], "markdown").blocks)
  elseif #body > 0 and body[1].t == "Header" then
    title = body[1].content
    body:remove(1)
  else
    title = pandoc.Inlines({pandoc.Str(default_titles[kind] or "Note")})
  end
  if is_html() then
    local role = "note"
    local head = pandoc.Div({pandoc.Plain(title)}, pandoc.Attr("", {"callout-title"}))
    local inner = pandoc.Div(body, pandoc.Attr("", {"callout-body"}))
    return pandoc.Div({head, inner},
      pandoc.Attr(div.identifier, {"callout", "callout-" .. kind}, {role = role}))
  elseif target == "typst" then
    local t = pandoc.write(pandoc.Pandoc({pandoc.Plain(title)}), "typst")
    t = t:gsub("%s+$", "")
    local out = pandoc.List({pandoc.RawBlock("typst",
      '#board-callout(kind: "' .. kind .. '", title: [' .. t .. '])[')})
    out:extend(body)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  else
    local out = pandoc.List({pandoc.Para({pandoc.Strong(title)})})
    out:extend(body)
    return pandoc.Div(out, pandoc.Attr(div.identifier, {}, {["custom-style"] = "Callout"}))
  end
end

-- Typst: images with their alternative text (pandoc's writer drops it), for tagged PDFs.
local function typst_quote(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', ' ') .. '"'
end

local function typst_image(img, boxed)
  local args = typst_quote(img.src) .. ", alt: " .. typst_quote(pandoc.utils.stringify(img.caption))
  local width = img.attributes["width"]
  if width and (width:match("^[%d.]+%%$") or width:match("^[%d.]+[cmiptn]+$")) then
    args = args .. ", width: " .. width
  end
  local call = "image(" .. args .. ")"
  if boxed then call = "box(" .. call .. ")" end
  return pandoc.RawInline("typst", "#{" .. call .. "}")
end

local typst_images = {
  {Figure = function(fig)
    return fig:walk({Image = function(img) return typst_image(img, false) end})
  end},
  {Image = function(img) return typst_image(img, true) end},
}

local function first_header_id(blocks)
  for _, b in ipairs(blocks) do
    if b.t == "Header" and b.level == 1 then return b.identifier end
  end
  return ""
end

local function unnumbered_chapter(blocks)
  for _, b in ipairs(blocks) do
    if b.t == "Header" and b.level == 1 then return b.classes:includes("unnumbered") end
  end
  return false
end

local function transform(doc)
  for _, b in ipairs(doc.blocks) do
    if b.t == "Div" and b.classes:includes("hi-chapter") then
      chapter_ids[b.attributes["file"]] = first_header_id(b.content)
    end
  end
  local out = pandoc.List()
  for _, b in ipairs(doc.blocks) do
    if b.t == "Div" and b.classes:includes("hi-chapter") then
      current = b.attributes["file"]
      local content = pandoc.Blocks(b.content):walk({Link = fix_link, Image = fig_alt})
      if unnumbered_chapter(content) then
        -- as in Quarto books, the sections of an unnumbered chapter are unnumbered too
        content = content:walk({Header = function(h)
          if not h.classes:includes("unnumbered") then h.classes:insert("unnumbered") end
          return h
        end})
      end
      content = content:walk({Div = callout})
      if target == "typst" then
        for _, f in ipairs(typst_images) do content = content:walk(f) end
      end
      if is_html() then
        out:insert(pandoc.RawBlock("html", "<!-- hi-chapter: " .. current .. " -->"))
      elseif target == "typst" then
        out:insert(pandoc.RawBlock("typst", "// hi-chapter: " .. current))
        if b.attributes["appendix"] == "first" then
          out:insert(pandoc.RawBlock("typst", "#show: board-appendix"))
        end
      end
      out:extend(content)
    else
      out:insert(b)
    end
  end
  doc.blocks = out
  return doc
end

function Pandoc(doc)
  local typst_output = doc.meta["hi-typst-output"]
  if typst_output then
    -- The Typst body too, from the same parse: written to this file, as `--to typst
    -- --wrap=preserve` would write it.
    doc.meta["hi-typst-output"] = nil
    target = "typst"
    local body = pandoc.write(transform(doc:clone()), "typst", {wrap_text = "wrap-preserve"})
    target = FORMAT
    local file = assert(io.open(pandoc.utils.stringify(typst_output), "wb"))
    file:write(body)
    file:close()
  end
  return transform(doc)
end
"""


def write_filter(directory: Path | None = None) -> Path:
    """Write the Lua filter to a file and return its path.

    Parameters
    ----------
    directory
        Folder to write it in; a new temporary folder when ``None``.

    Returns
    -------
    Path
        The ``.lua`` file, for pandoc's ``--lua-filter``.
    """
    folder = Path(tempfile.mkdtemp(prefix="hi_reports_")) if directory is None else directory
    path = folder / "hi_reports_filter.lua"
    path.write_text(LUA_FILTER, encoding="utf-8")
    return path
