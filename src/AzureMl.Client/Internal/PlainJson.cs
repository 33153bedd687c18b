using System.Buffers;
using System.Runtime.CompilerServices;

namespace AzureMl.Client.Internal;

/// <summary>
/// The fast grammar for the commonest parts of an answer: plain values (a string without escapes or control
/// characters, a number, <c>true</c>, <c>false</c>, <c>null</c>) and the whitespace between them. Each scan returns
/// the index after what it read, or -1 when the input is anything else, so the caller hands that input to
/// <see cref="System.Text.Json.Utf8JsonReader"/>, which reads it or says what is wrong. Used by the classic table
/// parser (<c>Values</c> rows) and the online answer reader (records of known columns); both are held to the reader's
/// results by randomized equivalence tests.
/// </summary>
internal static class PlainJson
{
    // A plain string ends at its closing quote; an escape or a control character is not plain.
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

    /// <summary>What a plain value other than a string is.</summary>
    public enum Kind : byte
    {
        /// <summary>A JSON number; its text is the value as written.</summary>
        Number,

        /// <summary><c>true</c>.</summary>
        True,

        /// <summary><c>false</c>.</summary>
        False,

        /// <summary><c>null</c>.</summary>
        Null,
    }

    /// <summary>
    /// Reads the plain string whose opening quote is at <paramref name="i"/>: its text is
    /// <c>json[(i + 1)..(result - 1)]</c>. Returns the index after the closing quote, or -1 when the string holds an
    /// escape or a control character or does not end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ScanString(ReadOnlySpan<byte> json, int i)
    {
        // Most strings are short: look at the first bytes one by one before paying for a vectorized search.
        var j = i + 1;
        var stop = Math.Min(json.Length, j + 16);
        while (j < stop)
        {
            var b = json[j];
            if (b == (byte)'"')
            {
                return j + 1;
            }

            if (b == (byte)'\\' || b < 0x20)
            {
                return -1;
            }

            j++;
        }

        var length = json[j..].IndexOfAny(StringStops);
        if (length < 0 || json[j + length] != (byte)'"')
        {
            return -1;
        }

        return j + length + 1;
    }

    /// <summary>
    /// Reads the number or literal at <paramref name="i"/>, which must be followed by a delimiter (<c>,</c>, <c>]</c>,
    /// <c>}</c> or whitespace). Returns the index after it, or -1 when it is not one.
    /// </summary>
    public static int ScanOther(ReadOnlySpan<byte> json, int i, out Kind kind)
    {
        var c = json[i];
        int after;
        if (c == (byte)'-' || char.IsAsciiDigit((char)c))
        {
            kind = Kind.Number;
            after = ScanNumber(json, i);
        }
        else if (json[i..].StartsWith("true"u8))
        {
            kind = Kind.True;
            after = i + 4;
        }
        else if (json[i..].StartsWith("false"u8))
        {
            kind = Kind.False;
            after = i + 5;
        }
        else if (json[i..].StartsWith("null"u8))
        {
            kind = Kind.Null;
            after = i + 4;
        }
        else
        {
            kind = default;
            return -1;
        }

        return after < 0 || !EndsValue(json, after) ? -1 : after;
    }

    /// <summary>The index of the first byte at or after <paramref name="i"/> that is not JSON whitespace.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SkipSpace(ReadOnlySpan<byte> json, int i)
    {
        // Compact JSON has no whitespace between tokens: answer that case without a loop.
        if ((uint)i < (uint)json.Length && json[i] > (byte)' ')
        {
            return i;
        }

        return SkipSpaceSlow(json, i);
    }

    private static int SkipSpaceSlow(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }

    /// <summary>The index after a JSON number at <paramref name="i"/>, or -1 when it is not one.</summary>
    private static int ScanNumber(ReadOnlySpan<byte> json, int i)
    {
        if (json[i] == (byte)'-')
        {
            i++;
        }

        if (i >= json.Length || !char.IsAsciiDigit((char)json[i]))
        {
            return -1;
        }

        i = json[i] == (byte)'0' ? i + 1 : SkipDigits(json, i);
        if (i < json.Length && json[i] == (byte)'.')
        {
            var digits = SkipDigits(json, i + 1);
            if (digits == i + 1)
            {
                return -1;
            }

            i = digits;
        }

        if (i < json.Length && (json[i] | 0x20) == (byte)'e')
        {
            i++;
            if (i < json.Length && (json[i] == (byte)'+' || json[i] == (byte)'-'))
            {
                i++;
            }

            var digits = SkipDigits(json, i);
            if (digits == i)
            {
                return -1;
            }

            i = digits;
        }

        return i;
    }

    private static int SkipDigits(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            i++;
        }

        return i;
    }

    private static bool EndsValue(ReadOnlySpan<byte> json, int i) =>
        i < json.Length && json[i] is (byte)',' or (byte)']' or (byte)'}' or (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';
}
