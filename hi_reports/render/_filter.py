"""The pandoc Lua filter of the builtin engine, kept as a string so it ships with the package.

The builtin engine concatenates the chapters into one markdown document, each chapter wrapped in a
``hi-chapter`` div (``file`` attribute = chapter file name), and runs pandoc once per output format
with this filter. The filter:

* rewrites links between chapters (``imd.qmd``, ``imd.qmd#sec-x``) to in-document anchors
  (``#<first heading id of imd.qmd>``, ``#sec-x``); a link to a ``.qmd`` file that is not a chapter
  of the book stops pandoc with an error naming both files;
* turns Quarto callouts (``::: {.callout-note}`` with an optional ``## Title`` or ``title=``)
  into a styled box for each format (HTML div, Typst ``board-callout``, Word: a one-cell table in
  the ``Callout <Kind>`` table style of the reference document);
* in Word only (one delimited block of the filter): writes section numbers (appendices lettered A,
  A.1) and ``Figure 2.1:`` / ``Table A.1:`` caption labels as text, and sizes each table's columns
  to their text so that no number breaks inside a cell;
* turns Quarto cross-references (``@fig-own``, ``@tbl-own``, ``@sec-own``; pandoc reads them as
  citations) into links worded "Figure 2.1", "Table A.1", "Section 3.2": Typst numbers them
  itself, the engine fills in the HTML's numbers from its captions, the Word block gives Word's;
  a label that nothing in the book carries stops pandoc with an error naming the chapter;
* uses Quarto's ``fig-alt`` attribute as the image's alternative text;
* for the brief (metadata ``hi-brief``: the first chapter alone), makes links to other chapters
  plain text and leaves out the sections headed ``{.hi-book-only}``;
* in HTML, sizes table columns to their content; in Typst, sizes them to their text as in Word
  (each column at least its longest word wide: no header hyphenates, no range breaks at its dash),
  colours the headline table's markers (``.hi-cmp-higher``, ...), keeps a paragraph leading
  into a figure or table with it and keeps a table of 15 rows or fewer on one page;
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
-- An error in a chapter's markup begins so: the engine gives it as the chapter's, not pandoc's.
local CHAPTER_ERROR = "hi-reports chapter error: chapter "
local chapter_ids = {}   -- chapter file -> identifier of its first level-1 heading
local current = "?"      -- chapter being walked, for error messages
local target = FORMAT    -- the format being made: pandoc's, or "typst" for the Typst side output
local brief = false      -- the two-page brief: the first chapter alone (metadata hi-brief)

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
  if id == nil and brief then return link.content end  -- the brief has no other chapter
  if id == nil then
    error(CHAPTER_ERROR .. current .. " links to " .. t .. ", but " .. file ..
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

-- ======== Cross-references: @fig-x, @tbl-x, @sec-x, as Quarto writes them ========
-- Pandoc reads `@fig-own` as a citation. A citation whose every key is a figure's, a table's or a
-- section's label becomes a link to it, worded as Quarto words it ("Figure 2.1", "Table A.1",
-- "Section 3.2", "Chapter 2", "Appendix A"; `-@fig-own` gives the number alone), each format with
-- the numbers its own captions and headings carry: Typst numbers the reference itself
-- (`#ref(<fig-own>)`), the HTML's numbers are filled in by the engine once it has numbered the
-- captions of its pages (a link of class hi-xref), and Word's come from the Word block below. A
-- label that nothing in the book carries stops pandoc with an error naming the chapter.

local XREF_KINDS = {fig = "figure", tbl = "table", sec = "section"}
local labels = {}        -- identifier -> true, for every labelled figure, table and heading
local unnumbered = {}    -- identifier -> the heading's text, for headings without a number
local xref_numbers = {}  -- Word: identifier -> {"Figure", "2.1"} (filled as the chapters are)

local function xref_kind(key)
  return XREF_KINDS[key:match("^(%a+)%-") or ""]
end

local function is_xref(cite)
  for _, c in ipairs(cite.citations) do
    if not xref_kind(c.id) then return false end
  end
  return true
end

-- Levenshtein distance, for suggesting the label meant.
local function distance(a, b)
  local row = {}
  for j = 0, #b do row[j] = j end
  for i = 1, #a do
    local diagonal, previous = row[0], row[0]
    row[0] = i
    for j = 1, #b do
      previous = row[j]
      local cost = (a:sub(i, i) == b:sub(j, j)) and 0 or 1
      row[j] = math.min(row[j] + 1, row[j - 1] + 1, diagonal + cost)
      diagonal = previous
    end
  end
  return row[#b]
end

local function check_xref(cite)
  if not is_xref(cite) then return nil end
  for _, c in ipairs(cite.citations) do
    if not labels[c.id] and not brief then
      local best, nearest = 3, nil  -- a label two edits away or nearer, of the same kind
      for label in pairs(labels) do
        local d, same = distance(c.id, label), xref_kind(label) == xref_kind(c.id)
        if same and (d < best or (nearest and d == best and label < nearest)) then
          best, nearest = d, label
        end
      end
      local hint = nearest and (": did you mean @" .. nearest .. "?") or ""
      error(CHAPTER_ERROR .. current .. " refers to @" .. c.id .. ", but no " .. xref_kind(c.id) ..
            " of the book has the label " .. c.id .. hint, 0)
    end
  end
  return nil
end

local function xref_one(c)
  local id, bare = c.id, c.mode == "SuppressAuthor"
  if not labels[id] then  -- the brief: the chapter is not in it
    return pandoc.Inlines({pandoc.Str("a"), pandoc.Space(), pandoc.Str(xref_kind(id)),
      pandoc.Space(), pandoc.Str("of"), pandoc.Space(), pandoc.Str("the"), pandoc.Space(),
      pandoc.Str("full"), pandoc.Space(), pandoc.Str("edition")})
  end
  if unnumbered[id] then  -- named by its heading, as it has no number
    return pandoc.Inlines({pandoc.Link(unnumbered[id]:clone(), "#" .. id)})
  end
  if target == "typst" then
    return pandoc.Inlines({pandoc.RawInline("typst",
      "#ref(<" .. id .. ">" .. (bare and ", supplement: none" or "") .. ")")})
  end
  if is_html() then
    local attrs = {["data-ref"] = id}
    if bare then attrs["data-bare"] = "true" end
    return pandoc.Inlines({pandoc.Link({pandoc.Str("?")}, "#" .. id, "",
      pandoc.Attr("", {"hi-xref"}, attrs))})
  end
  local number = xref_numbers[id] or {"", "?"}
  local words = bare and number[2] or (number[1] .. " " .. number[2])
  return pandoc.Inlines({pandoc.Link({pandoc.Str(words)}, "#" .. id)})
end

local function xref(cite)
  if not is_xref(cite) then return nil end
  local out = pandoc.Inlines({})
  for i, c in ipairs(cite.citations) do
    if i > 1 then out:extend({pandoc.Str(";"), pandoc.Space()}) end
    if #c.prefix > 0 then
      out:extend(c.prefix)
      out:insert(pandoc.Space())
    end
    out:extend(xref_one(c))
    if #c.suffix > 0 then out:extend(c.suffix) end
  end
  return out
end
-- ======== end of the cross-references ========

local function longest_word(text)
  local longest = 0
  for word in text:gmatch("%S+") do
    -- a line may break after the hyphen of "Age-standardised", never inside "1,336,006"
    for piece in word:gsub("(%a%-)(%a)", "%1 %2"):gmatch("%S+") do
      longest = math.max(longest, utf8.len(piece) or #piece)
    end
  end
  return longest
end

-- Columns sized to their text, in characters of the table's type on a line of `line` of them,
-- less `margin` a column for the cells' insets (see DOCX_LINE and TYPST_WIDE_LINE).
local function fit_widths(tbl, line, margin)
  local n = #tbl.colspecs
  local need, body, head = {}, {}, {}  -- longest word; longest text in the body, in the header
  for j = 1, n do need[j], body[j], head[j] = 1, 1, 1 end
  local function measure(rows, is_head)
    local factor = is_head and 1.1 or 1  -- bold header text is wider
    for _, row in ipairs(rows) do
      local j = 1
      for _, cell in ipairs(row.cells) do
        if cell.col_span == 1 and j <= n then
          local text = pandoc.utils.stringify(cell.contents)
          local longest = is_head and head or body
          need[j] = math.max(need[j], longest_word(text) * factor)
          longest[j] = math.max(longest[j], (utf8.len(text) or #text) * factor)
        end
        j = j + cell.col_span
      end
    end
  end
  measure(tbl.head.rows, true)
  for _, b in ipairs(tbl.bodies) do
    measure(b.head, true)
    measure(b.body, false)
  end
  measure(tbl.foot.rows, false)
  line = line - margin * n
  -- Each column gets its longest word, plus a character, and at most 40 characters: every text on
  -- one line when the table fits the page so; otherwise the headers may take two lines, and the
  -- rest of the line goes to the columns whose text wraps, in proportion to what more they take.
  local widths, total = {}, 0
  for j = 1, n do
    widths[j] = math.max(need[j], math.min(math.max(body[j], head[j]), 40)) + 1
    total = total + widths[j]
  end
  if total > line then
    local extra, spare = {}, 0
    total = 0
    for j = 1, n do
      widths[j] = need[j] + 1
      total = total + widths[j]
      extra[j] = math.max(math.min(math.max(body[j], head[j] / 2), 40) - need[j], 0)
      spare = spare + extra[j]
    end
    if total < line and spare > 0 then
      local share = math.min(1, (line - total) / spare)
      total = 0
      for j = 1, n do
        widths[j] = widths[j] + extra[j] * share
        total = total + widths[j]
      end
    end
  end
  local scale = math.max(total, line)  -- a narrow table keeps its width; a wide one fills the line
  local specs = tbl.colspecs
  for j = 1, n do specs[j] = {specs[j][1], widths[j] / scale} end
  tbl.colspecs = specs
end

-- ======== Word (docx) only: section and caption numbers, callout boxes, table widths ========
-- Everything the filter does for Word alone is in this block; the HTML and Typst code is elsewhere.
-- Word gets its numbers as text, not as SEQ fields (which show nothing until Word updates them):
-- section numbers go in the `number` attribute that pandoc prints with --number-sections, and
-- "Figure 2.1:" / "Table A.1:" open the captions. Appendices are lettered (A, A.1, Table A.1) and
-- figures and tables counted per chapter, as in the HTML and the PDF.

local docx = {chapter = 0, appendix = 0, in_appendix = false, label = "", levels = {},
              figures = 0, tables = 0}

local docx_callout_styles = {
  note = "CalloutNote", tip = "CalloutTip", important = "CalloutImportant",
  warning = "CalloutWarning", caution = "CalloutCaution",
}

-- Tables are sized to their text: Word's and LibreOffice's equal columns broke "1,336,006" inside
-- the number ("1,336,00" over "6"). Widths are counted in characters of the 9 pt table text
-- (DejaVu Sans, whose digits are 0.636 em wide); the A4 page of templates/word/reference.docx
-- (16 cm, 453.5 pt) holds about 79 of them, less about 1.5 a column for the cells' margins.
local DOCX_LINE = 79

local function docx_numbered()
  return PANDOC_WRITER_OPTIONS == nil or PANDOC_WRITER_OPTIONS.number_sections
end

local function docx_header(h)
  -- counted per chapter (Figure 2.1); through the document when sections are not numbered
  if h.level == 1 and docx_numbered() then docx.figures, docx.tables = 0, 0 end
  if h.classes:includes("unnumbered") then
    if h.level == 1 then docx.label = "" end
    return nil
  end
  local levels = docx.levels
  levels[h.level] = (levels[h.level] or 0) + 1
  for level = h.level + 1, 6 do levels[level] = 0 end
  if h.level == 1 then
    if docx.in_appendix then
      docx.appendix = docx.appendix + 1
      docx.label = string.char(64 + docx.appendix)
    else
      docx.chapter = docx.chapter + 1
      docx.label = tostring(docx.chapter)
    end
  elseif docx.label == "" then
    return nil
  end
  local parts = {docx.label}
  for level = 2, h.level do parts[#parts + 1] = tostring(levels[level] or 0) end
  h.attributes["number"] = table.concat(parts, ".")
  if h.identifier ~= "" then
    local kind = "Section"
    if h.level == 1 then kind = docx.in_appendix and "Appendix" or "Chapter" end
    xref_numbers[h.identifier] = {kind, h.attributes["number"]}
  end
  return h
end

-- The number of the chapter's n-th figure or table: "2.1", or "1" where sections are unnumbered.
local function docx_number(n)
  if docx_numbered() and docx.label ~= "" then return docx.label .. "." .. tostring(n) end
  return tostring(n)
end

-- `caption` with "<kind> 2.1:" in front (unchanged when it is empty).
local function docx_label(caption, kind, number)
  local long = caption.long
  if #long == 0 then return caption end  -- counted, but no caption to number
  local label = pandoc.Strong({pandoc.Str(kind), pandoc.Space(), pandoc.Str(number .. ":")})
  local first = long[1]
  if first.t == "Plain" or first.t == "Para" then
    local inlines = pandoc.Inlines({label, pandoc.Space()})
    inlines:extend(first.content)
    first.content = inlines
    long[1] = first
  else
    long:insert(1, pandoc.Plain({label}))
  end
  caption.long = long
  return caption
end

local function docx_figure(fig)
  docx.figures = docx.figures + 1
  local number = docx_number(docx.figures)
  if fig.identifier ~= "" then xref_numbers[fig.identifier] = {"Figure", number} end
  fig.caption = docx_label(fig.caption, "Figure", number)
  return fig
end

local function docx_table(tbl)
  docx.tables = docx.tables + 1
  local number = docx_number(docx.tables)
  if tbl.identifier ~= "" then xref_numbers[tbl.identifier] = {"Table", number} end
  tbl.caption = docx_label(tbl.caption, "Table", number)
  if #tbl.colspecs > 0 then fit_widths(tbl, DOCX_LINE, 1.5) end
  return tbl
end

-- A chapter's blocks for Word; `appendix` is the chapter div's appendix attribute.
local function docx_chapter(blocks, appendix)
  if appendix == "first" then docx.in_appendix = true end
  return blocks:walk({traverse = "topdown", Header = docx_header, Figure = docx_figure,
                      Table = docx_table})
end

-- A callout as a framed box: a one-cell table in the reference document's "Callout <Kind>" table
-- style, holding a "Callout Title" paragraph and the body in the "Callout" paragraph style (a
-- paragraph style alone would leave the lists of the box outside its frame).
local function docx_callout(div, kind, title, body)
  local style = docx_callout_styles[kind] or "CalloutNote"
  local open = '<w:tbl><w:tblPr><w:tblStyle w:val="' .. style .. '"/>'
    .. '<w:tblW w:w="5000" w:type="pct"/>'
    .. '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
    .. 'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid><w:gridCol w:w="9070"/></w:tblGrid>'
    .. '<w:tr><w:tc><w:tcPr><w:tcW w:w="5000" w:type="pct"/></w:tcPr>'
  local out = pandoc.List({
    pandoc.RawBlock("openxml", open),
    pandoc.Div({pandoc.Para(title)}, pandoc.Attr("", {}, {["custom-style"] = "Callout Title"})),
  })
  if #body > 0 then
    out:insert(pandoc.Div(body, pandoc.Attr("", {}, {["custom-style"] = "Callout"})))
    if body[#body].t == "Table" then out:insert(pandoc.RawBlock("openxml", "<w:p/>")) end
  end
  -- a small empty paragraph after the box: space before the text, and a table that follows
  -- is not merged into the box
  out:insert(pandoc.RawBlock("openxml", '</w:tc></w:tr></w:tbl><w:p><w:pPr><w:spacing w:before="0" '
    .. 'w:after="0"/><w:rPr><w:sz w:val="12"/></w:rPr></w:pPr></w:p>'))
  return pandoc.Div(out, pandoc.Attr(div.identifier))
end
-- ======== end of the Word (docx) block ========

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
  elseif target == "docx" then
    return docx_callout(div, kind, title, body)
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

-- Tables in HTML and Typst: columns sized to their content (pandoc gives a table whose source lines
-- are long equal relative widths, so labels wrapped to three lines beside narrow numbers).
local function natural_widths(tbl)
  for i, spec in ipairs(tbl.colspecs) do tbl.colspecs[i] = {spec[1], nil} end
  return tbl
end

-- Typst: the headline table's markers (`[▲ higher]{.hi-cmp-higher}`) in their colour, bold; the
-- symbol and word carry the meaning, the colour repeats it (HTML colours them in style.css).
local marker_colours = {
  ["hi-cmp-higher"] = "#7C2855", ["hi-cmp-similar"] = "#425563", ["hi-cmp-lower"] = "#005EB8",
}

local function typst_marker(span)
  if span.classes:includes("hi-nowrap") then  -- a range that must not break: one box
    local out = pandoc.List({pandoc.RawInline("typst", "#box[")})
    out:extend(span.content)
    out:insert(pandoc.RawInline("typst", "]"))
    return out
  end
  for class, colour in pairs(marker_colours) do
    if span.classes:includes(class) then
      local open = '#text(fill: rgb("' .. colour .. '"), weight: "bold")['
      local out = pandoc.List({pandoc.RawInline("typst", open)})
      out:extend(span.content)
      out:insert(pandoc.RawInline("typst", "]"))
      return out
    end
  end
  return nil
end

-- Typst: a paragraph that leads into a figure or table stays on its page (a sticky block).
local function sticky_leadins(blocks)
  local out = pandoc.List()
  for i, b in ipairs(blocks) do
    local next_block = blocks[i + 1]
    if b.t == "Para" and next_block and (next_block.t == "Figure" or next_block.t == "Table") then
      out:insert(pandoc.RawBlock("typst", "#block(sticky: true)["))
      out:insert(b)
      out:insert(pandoc.RawBlock("typst", "]"))
    else
      out:insert(b)
    end
  end
  return out
end

-- The brief: a section whose heading has the class hi-book-only (e.g. "How to read this book") is
-- left out, up to the next heading of its level or above.
local function drop_book_only(blocks)
  local out, skip = pandoc.Blocks({}), nil
  for _, b in ipairs(blocks) do
    if b.t == "Header" and skip and b.level <= skip then skip = nil end
    if b.t == "Header" and b.classes:includes("hi-book-only") then skip = b.level end
    if not skip then out:insert(b) end
  end
  return out
end

-- Typst: a short table never splits (a split left its last row alone on the next page); a long
-- one splits, repeating its header (board.typ). Short: at most 15 rows and 1,000 characters, well
-- under a page (an unbreakable table taller than the rest of a page would leave that page blank).
-- A table of six columns or more is set smaller (about 8.3 pt), so that its columns fit the page
-- without running into each other.
local SHORT_TABLE_ROWS, SHORT_TABLE_CHARS = 15, 1000
-- A line of a table, in characters of its type: the A4 text of templates/typst/board.typ (16 cm,
-- 453.5 pt) in DejaVu Sans at 9.2 pt (digits 0.636 em, so 5.85 pt), or about 8.3 pt in a table of
-- six columns or more (5.3 pt); each cell's insets (7 pt a side) take about 2.4 or 2.7 of them.
local TYPST_LINE, TYPST_WIDE_LINE = 77, 86

local function typst_table(tbl)
  -- columns sized to their text: Typst's auto columns broke "Eng-land" in a header and "59.97%-"
  -- from "60.27%" in a cell; a column is at least its longest word wide
  if #tbl.colspecs >= 6 then
    fit_widths(tbl, TYPST_WIDE_LINE, 2.7)
  elseif #tbl.colspecs > 0 then
    fit_widths(tbl, TYPST_LINE, 2.4)
  end
  local out = pandoc.Blocks({tbl})
  -- so its header need not hyphenate, which board.typ allows for tables it has not sized (Quarto's)
  local set = "#show table.cell.where(y: 0): set text(hyphenate: false)"
  if #tbl.colspecs >= 6 then set = set .. "\n#set text(size: 0.9em)" end
  out:insert(1, pandoc.RawBlock("typst", "#[" .. set))
  out:insert(pandoc.RawBlock("typst", "]"))
  local rows = 0
  for _, body in ipairs(tbl.bodies) do rows = rows + #body.body end
  if rows <= SHORT_TABLE_ROWS and #pandoc.utils.stringify(tbl) <= SHORT_TABLE_CHARS then
    out:insert(1, pandoc.RawBlock("typst", "#block(breakable: false)["))
    out:insert(pandoc.RawBlock("typst", "]"))
  end
  return out
end

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

-- The labels of the book's figures, tables and headings (see the cross-references above).
local function collect_labels(blocks)
  labels, unnumbered, xref_numbers = {}, {}, {}
  local function add(el) if el.identifier ~= "" then labels[el.identifier] = true end end
  for _, b in ipairs(blocks) do
    if b.t == "Div" and b.classes:includes("hi-chapter") then
      local plain = unnumbered_chapter(b.content)
      b.content:walk({Figure = add, Table = add, Header = function(h)
        add(h)
        if h.identifier ~= "" and (plain or h.classes:includes("unnumbered")) then
          unnumbered[h.identifier] = h.content
        end
      end})
    end
  end
end

local function transform(doc)
  for _, b in ipairs(doc.blocks) do
    if b.t == "Div" and b.classes:includes("hi-chapter") then
      chapter_ids[b.attributes["file"]] = first_header_id(b.content)
    end
  end
  collect_labels(doc.blocks)
  local out = pandoc.Blocks({})
  for _, b in ipairs(doc.blocks) do
    if b.t == "Div" and b.classes:includes("hi-chapter") then
      current = b.attributes["file"]
      local content = pandoc.Blocks(b.content)
      if brief then content = drop_book_only(content) end
      content = content:walk({Link = fix_link, Image = fig_alt, Cite = check_xref})
      if unnumbered_chapter(content) then
        -- as in Quarto books, the sections of an unnumbered chapter are unnumbered too
        content = content:walk({Header = function(h)
          if not h.classes:includes("unnumbered") then h.classes:insert("unnumbered") end
          return h
        end})
      end
      content = content:walk({Div = callout})
      if target == "docx" then content = docx_chapter(content, b.attributes["appendix"]) end
      if target == "typst" or is_html() then content = content:walk({Table = natural_widths}) end
      if target == "typst" then
        for _, f in ipairs(typst_images) do content = content:walk(f) end
        content = content:walk({Span = typst_marker, Blocks = sticky_leadins})
        content = content:walk({Table = typst_table})
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
  -- after every chapter: a reference may point forward, and Word's numbers are known by now
  doc.blocks = out:walk({Cite = xref})
  return doc
end

function Pandoc(doc)
  if doc.meta["hi-brief"] then
    brief = true
    doc.meta["hi-brief"] = nil
  end
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


#: How the filter's errors in a chapter's markup begin (the Lua ``CHAPTER_ERROR`` without
#: "chapter "): the engine reports them as the chapter's, not as pandoc's.
CHAPTER_ERROR = "hi-reports chapter error: "


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
