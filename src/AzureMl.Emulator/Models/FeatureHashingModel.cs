using System.Buffers;
using System.Globalization;
using System.Text;

namespace AzureMl.Emulator;

/// <summary>
/// Studio's Feature Hashing module (Vowpal Wabbit hashing): per target column, counts of unigram and
/// n-gram hashes in <c>2^bits</c> buckets, appended as <c>{column}_HashingFeature.{j}</c> columns.
/// </summary>
public sealed class FeatureHashingModel : EmulatedModel
{
    private const ulong NGramMultiplier = 27942141;

    /// <summary>Initializes a new instance of the <see cref="FeatureHashingModel"/> class.</summary>
    /// <param name="bits">The hashing bit size, 1 to 31. Default 3 (8 buckets), as the walkthrough's service.</param>
    /// <param name="ngrams">The longest n-gram, 1 to 10. Default 2.</param>
    /// <param name="columns">The target text columns. Default <c>Col2</c>.</param>
    public FeatureHashingModel(int bits = 3, int ngrams = 2, IEnumerable<string>? columns = null)
        : this(bits, ngrams, Checked(columns, bits, ngrams))
    {
    }

    private FeatureHashingModel(int bits, int ngrams, string[] columns)
        : base(columns.Select(c => new EmulatedColumn(c)), OutputsFor(columns, bits))
    {
        Bits = bits;
        NGrams = ngrams;
        Columns = columns;
    }

    /// <summary>Gets the hashing bit size.</summary>
    public int Bits { get; }

    /// <summary>Gets the longest n-gram.</summary>
    public int NGrams { get; }

    /// <summary>Gets the target columns.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Computes the bucket counts of one text.</summary>
    /// <param name="text">The text; <see langword="null"/> or blank gives all zeros.</param>
    /// <returns>The count per bucket, <c>2^bits</c> entries.</returns>
    public int[] Hash(string? text)
    {
        var counts = new int[1 << Bits];
        if (string.IsNullOrWhiteSpace(text))
        {
            return counts;
        }

        var mask = (ulong)((1L << Bits) - 1);
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var hashes = new ulong[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            hashes[i] = HashToken(tokens[i]);
        }

        for (var start = 0; start < hashes.Length; start++)
        {
            var h = hashes[start];
            counts[(int)(h & mask)]++;
            for (var n = 2; n <= NGrams && start + n - 1 < hashes.Length; n++)
            {
                h = unchecked((h * NGramMultiplier) + hashes[start + n - 1]);
                counts[(int)(h & mask)]++;
            }
        }

        return counts;
    }

    /// <inheritdoc/>
    public override ValueTask<IReadOnlyList<string?>> ScoreAsync(EmulatedRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var output = new string?[OutputColumns.Count];
        var position = 0;
        foreach (var value in row.Values)
        {
            output[position++] = value;
        }

        foreach (var value in row.Values)
        {
            foreach (var count in Hash(value))
            {
                output[position++] = count.ToString(CultureInfo.InvariantCulture);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<string?>>(output);
    }

    internal static ulong HashToken(string token)
    {
        if (token.All(char.IsAsciiDigit))
        {
            ulong value = 0;
            foreach (var c in token)
            {
                value = unchecked((value * 10) + (ulong)(c - '0'));
            }

            return value;
        }

        var length = Encoding.UTF8.GetByteCount(token);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(token, rented);
            return MurmurHash3.Hash32(rented.AsSpan(0, written), 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string[] Checked(IEnumerable<string>? columns, int bits, int ngrams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 31);
        ArgumentOutOfRangeException.ThrowIfLessThan(ngrams, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ngrams, 10);
        string[] result = columns is null ? ["Col2"] : [.. columns];
        if (result.Length == 0 || result.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Name at least one target column, none empty.", nameof(columns));
        }

        return result;
    }

    private static IEnumerable<EmulatedColumn> OutputsFor(string[] columns, int bits)
    {
        // Studio keeps the input columns and appends the hashing features of each target column.
        foreach (var column in columns)
        {
            yield return new EmulatedColumn(column);
        }

        foreach (var column in columns)
        {
            for (var j = 0; j < 1 << bits; j++)
            {
                yield return new EmulatedColumn(string.Create(CultureInfo.InvariantCulture, $"{column}_HashingFeature.{j}"), "Int32");
            }
        }
    }
}
