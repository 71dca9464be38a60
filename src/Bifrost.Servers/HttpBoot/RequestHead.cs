using System.Text;

namespace Bifrost.Servers.HttpBoot;

/// <summary>A plain whole-file GET: the path (origin form, no query, no escapes), whether the connection stays open
/// after the answer, and the length of the head in bytes (request line, fields and the empty line).</summary>
public readonly record struct RequestHead(string Path, bool KeepAlive, int Length);

public enum RequestHeadParse
{
    /// <summary>No empty line yet: read more.</summary>
    Incomplete,
    /// <summary>A plain GET the sendfile path may answer.</summary>
    Parsed,
    /// <summary>Anything else (other methods, Range, validators, a body, escapes, malformed bytes): Kestrel answers it.</summary>
    NotOurs,
}

/// <summary>
/// Reads an HTTP/1.x request head (RFC 9112) just far enough to tell a plain whole-file GET from everything else.
/// Pure and strict: whatever it does not fully understand is <see cref="RequestHeadParse.NotOurs"/>, so Kestrel's
/// parser, with its error answers, stays the judge of every unusual or malformed request.
/// </summary>
public static class RequestHeads
{
    /// <summary>Heads longer than this are Kestrel's (its own limit is 32 KiB and answers 431).</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private const int MaxPathBytes = 2048;

    public static RequestHeadParse Parse(ReadOnlySpan<byte> bytes, out RequestHead head)
    {
        head = default;
        var window = bytes[..Math.Min(bytes.Length, MaxHeadBytes)];
        var end = window.IndexOf("\r\n\r\n"u8);
        if (HasBareLineFeed(end < 0 ? window : window[..end])) return RequestHeadParse.NotOurs; // Kestrel's call
        if (end < 0) return bytes.Length >= MaxHeadBytes ? RequestHeadParse.NotOurs : RequestHeadParse.Incomplete;

        var lines = bytes[..(end + 2)]; // every line, each with its CRLF
        var eol = lines.IndexOf("\r\n"u8);
        var requestLine = lines[..eol];
        lines = lines[(eol + 2)..];
        if (!requestLine.StartsWith("GET "u8)) return RequestHeadParse.NotOurs;
        var rest = requestLine[4..];
        var space = rest.IndexOf((byte)' ');
        if (space <= 0) return RequestHeadParse.NotOurs;
        var target = rest[..space];
        var version = rest[(space + 1)..];
        bool http11;
        if (version.SequenceEqual("HTTP/1.1"u8)) http11 = true;
        else if (version.SequenceEqual("HTTP/1.0"u8)) http11 = false;
        else return RequestHeadParse.NotOurs;
        if (!IsPlainPath(target)) return RequestHeadParse.NotOurs;

        bool host = false, close = false, keepAlive = false;
        while (lines.Length > 0)
        {
            eol = lines.IndexOf("\r\n"u8);
            var line = lines[..eol];
            lines = lines[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) return RequestHeadParse.NotOurs;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!IsToken(name) || !IsFieldValue(value)) return RequestHeadParse.NotOurs;
            if (Is(name, "host"u8))
            {
                if (host) return RequestHeadParse.NotOurs; // two Hosts: Kestrel answers 400
                host = true;
            }
            else if (Is(name, "connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    var option = value[range].Trim(" \t"u8);
                    if (Is(option, "close"u8)) close = true;
                    else if (Is(option, "keep-alive"u8)) keepAlive = true;
                    else if (option.Length > 0) return RequestHeadParse.NotOurs; // upgrade, te, ...
                }
            }
            else if (Is(name, "content-length"u8))
            {
                if (!value.SequenceEqual("0"u8)) return RequestHeadParse.NotOurs;
            }
            else if (Is(name, "range"u8) || Is(name, "transfer-encoding"u8) || Is(name, "expect"u8) || Is(name, "upgrade"u8)
                     || (name.Length > 3 && Is(name[..3], "if-"u8)))
            {
                return RequestHeadParse.NotOurs;
            }
        }
        if (http11 && !host) return RequestHeadParse.NotOurs; // Kestrel answers 400

        head = new RequestHead(Encoding.ASCII.GetString(target), KeepAlive: !close && (http11 || keepAlive), end + 4);
        return RequestHeadParse.Parsed;
    }

    /// <summary>Origin form with nothing to decode or normalise: visible ASCII, no <c>%</c>, <c>?</c>, <c>#</c> or
    /// backslash, no empty, <c>.</c> or <c>..</c> segment.</summary>
    private static bool IsPlainPath(ReadOnlySpan<byte> target)
    {
        if (target.Length is < 2 or > MaxPathBytes || target[0] != '/') return false;
        foreach (var b in target)
        {
            if (b is < 0x21 or > 0x7e or (byte)'%' or (byte)'?' or (byte)'#' or (byte)'\\') return false;
        }
        foreach (var range in target[1..].Split((byte)'/'))
        {
            var segment = target[1..][range];
            if (segment.Length == 0 || segment.SequenceEqual("."u8) || segment.SequenceEqual(".."u8)) return false;
        }
        return true;
    }

    private static bool HasBareLineFeed(ReadOnlySpan<byte> bytes)
    {
        for (var i = bytes.IndexOf((byte)'\n'); i >= 0; )
        {
            if (i == 0 || bytes[i - 1] != '\r') return true;
            var next = bytes[(i + 1)..].IndexOf((byte)'\n');
            i = next < 0 ? -1 : i + 1 + next;
        }
        return false;
    }

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            var ok = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                || "!#$%&'*+-.^_`|~"u8.Contains(b);
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>Visible ASCII, spaces and tabs (obs-text and control bytes are left to Kestrel).</summary>
    private static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (b != '\t' && b is < 0x20 or > 0x7e) return false;
        }
        return true;
    }

    private static bool Is(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerCase)
    {
        if (value.Length != lowerCase.Length) return false;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b is >= (byte)'A' and <= (byte)'Z') b += 32;
            if (b != lowerCase[i]) return false;
        }
        return true;
    }
}
