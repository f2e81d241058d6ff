// A minimal XML parser for OpenVINO IR: elements, attributes, text, comments, declarations.
#include <cstdlib>

#include "stub.h"

namespace ovstub {
namespace {
struct Parser {
  const std::string& s;
  size_t i = 0;
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + " at offset " + std::to_string(i));
  }
  bool starts(const char* p) const {
    return s.compare(i, std::char_traits<char>::length(p), p) == 0;
  }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  void skip_misc() {
    while (true) {
      ws();
      if (starts("<?")) {
        size_t e = s.find("?>", i);
        if (e == std::string::npos) fail("unterminated declaration");
        i = e + 2;
      } else if (starts("<!--")) {
        size_t e = s.find("-->", i);
        if (e == std::string::npos) fail("unterminated comment");
        i = e + 3;
      } else if (starts("<!")) {
        size_t e = s.find('>', i);
        if (e == std::string::npos) fail("unterminated doctype");
        i = e + 1;
      } else {
        return;
      }
    }
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == ':';
  }
  std::string name() {
    size_t b = i;
    while (i < s.size() && name_char(s[i])) ++i;
    if (b == i) fail("expected a name");
    return s.substr(b, i - b);
  }
  // &#N; and &#xH; as pugixml reads them: the code point, written as UTF-8.
  unsigned long char_ref(const std::string& ent) {
    bool hex = ent.size() > 1 && ent[1] == 'x';
    const char* digits = ent.c_str() + (hex ? 2 : 1);
    char* end = nullptr;
    unsigned long cp = std::strtoul(digits, &end, hex ? 16 : 10);
    if (*digits == '\0' || *end != '\0' || cp == 0 || cp > 0x10FFFF)
      fail("bad character reference &" + ent + ";");
    return cp;
  }
  static void append_utf8(std::string& o, unsigned long cp) {
    if (cp < 0x80) {
      o += static_cast<char>(cp);
    } else if (cp < 0x800) {
      o += static_cast<char>(0xC0 | (cp >> 6));
      o += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      o += static_cast<char>(0xE0 | (cp >> 12));
      o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      o += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      o += static_cast<char>(0xF0 | (cp >> 18));
      o += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      o += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  std::string unescape(const std::string& t) {
    std::string o;
    for (size_t k = 0; k < t.size(); ++k) {
      if (t[k] != '&') {
        o += t[k];
        continue;
      }
      size_t e = t.find(';', k);
      if (e == std::string::npos) fail("bad entity");
      std::string ent = t.substr(k + 1, e - k - 1);
      if (ent == "lt")
        o += '<';
      else if (ent == "gt")
        o += '>';
      else if (ent == "amp")
        o += '&';
      else if (ent == "quot")
        o += '"';
      else if (ent == "apos")
        o += '\'';
      else if (!ent.empty() && ent[0] == '#')
        append_utf8(o, char_ref(ent));
      else
        fail("unknown entity &" + ent + ";");
      k = e;
    }
    return o;
  }
  std::unique_ptr<XmlNode> element() {
    if (i >= s.size() || s[i] != '<') fail("expected '<'");
    ++i;
    auto n = std::make_unique<XmlNode>();
    n->name = name();
    while (true) {
      ws();
      if (i >= s.size()) fail("unexpected end of file");
      if (starts("/>")) {
        i += 2;
        return n;
      }
      if (s[i] == '>') {
        ++i;
        break;
      }
      std::string k = name();
      ws();
      if (i >= s.size() || s[i] != '=') fail("expected '=' after attribute " + k);
      ++i;
      ws();
      if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) fail("expected a quoted value");
      char q = s[i++];
      size_t e = s.find(q, i);
      if (e == std::string::npos) fail("unterminated attribute value");
      n->attrs.emplace_back(k, unescape(s.substr(i, e - i)));
      i = e + 1;
    }
    while (true) {
      size_t b = i;
      while (i < s.size() && s[i] != '<') ++i;
      n->text += unescape(s.substr(b, i - b));
      if (i >= s.size()) fail("unexpected end of file in <" + n->name + ">");
      if (starts("<!--")) {
        size_t e = s.find("-->", i);
        if (e == std::string::npos) fail("unterminated comment");
        i = e + 3;
      } else if (starts("</")) {
        i += 2;
        std::string c = name();
        if (c != n->name) fail("mismatched end tag </" + c + "> for <" + n->name + ">");
        ws();
        if (i >= s.size() || s[i] != '>') fail("expected '>'");
        ++i;
        return n;
      } else {
        n->children.push_back(element());
      }
    }
  }
};
}  // namespace

const std::string* XmlNode::attr(const std::string& k) const {
  for (const auto& a : attrs)
    if (a.first == k) return &a.second;
  return nullptr;
}
const XmlNode* XmlNode::child(const std::string& n) const {
  for (const auto& c : children)
    if (c->name == n) return c.get();
  return nullptr;
}
std::vector<const XmlNode*> XmlNode::all(const std::string& n) const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children)
    if (c->name == n) out.push_back(c.get());
  return out;
}

std::unique_ptr<XmlNode> parse_xml(const std::string& text) {
  Parser p{text};
  p.skip_misc();
  if (p.i >= text.size()) p.fail("no document element");
  auto root = p.element();
  p.skip_misc();
  if (p.i != text.size()) p.fail("extra content after the document element");
  return root;
}
}  // namespace ovstub
