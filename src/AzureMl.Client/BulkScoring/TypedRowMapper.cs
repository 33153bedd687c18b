using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AzureMl.Client.Internal;

internal enum ValueKind
{
    String,
    Integer,
    Float,
    Decimal,
    Boolean,
    DateTime,
    DateTimeOffset,
    DateOnly,
    TimeOnly,
    TimeSpan,
    Guid,
    Enum,
}

/// <summary>
/// Maps records to cells and cells to records with System.Text.Json metadata (source-generated, so no reflection):
/// a property's column is its JSON name, so <c>[JsonPropertyName]</c> renames it and <c>[JsonIgnore]</c> leaves it out.
/// </summary>
internal static class TypedRowMapper
{
    public const string SupportedTypes =
        "string, char, bool, the integer types, float, double, decimal, DateTime, DateTimeOffset, DateOnly, TimeOnly, TimeSpan, Guid, enums, and their nullable forms";

    public static ValueKind? KindOf(Type type)
    {
        var core = Nullable.GetUnderlyingType(type) ?? type;
        if (core.IsEnum)
        {
            return ValueKind.Enum;
        }

        return Type.GetTypeCode(core) switch
        {
            TypeCode.String or TypeCode.Char => ValueKind.String,
            TypeCode.Boolean => ValueKind.Boolean,
            TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 => ValueKind.Integer,
            TypeCode.Single or TypeCode.Double => ValueKind.Float,
            TypeCode.Decimal => ValueKind.Decimal,
            TypeCode.DateTime => ValueKind.DateTime,
            _ when core == typeof(DateTimeOffset) => ValueKind.DateTimeOffset,
            _ when core == typeof(DateOnly) => ValueKind.DateOnly,
            _ when core == typeof(TimeOnly) => ValueKind.TimeOnly,
            _ when core == typeof(TimeSpan) => ValueKind.TimeSpan,
            _ when core == typeof(Guid) => ValueKind.Guid,
            _ => null,
        };
    }

    public static void RequireObject(JsonTypeInfo typeInfo, string paramName)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            throw new ArgumentException(
                $"{typeInfo.Type.Name} is not mapped as an object with properties (its JSON kind is {typeInfo.Kind}): use a class, record or struct whose properties are the columns.",
                paramName);
        }
    }
}

/// <summary>Turns <typeparamref name="T"/> records into table cells.</summary>
internal sealed class InputRowMapper<T>
{
    private readonly Func<object, object?>[] _getters;

    public InputRowMapper(JsonTypeInfo<T> typeInfo, string paramName)
    {
        ArgumentNullException.ThrowIfNull(typeInfo, paramName);
        TypedRowMapper.RequireObject(typeInfo, paramName);
        var columns = new List<string>();
        var getters = new List<Func<object, object?>>();
        foreach (var property in typeInfo.Properties)
        {
            if (property.Get is null)
            {
                continue;
            }

            if (TypedRowMapper.KindOf(property.PropertyType) is null)
            {
                throw new ArgumentException(
                    $"{typeof(T).Name}.{property.Name} is a {property.PropertyType.Name}, which cannot be sent as a cell. Use one of: {TypedRowMapper.SupportedTypes}; or leave it out with [JsonIgnore].",
                    paramName);
            }

            columns.Add(property.Name);
            getters.Add(property.Get);
        }

        if (columns.Count == 0)
        {
            throw new ArgumentException($"{typeof(T).Name} has no readable properties, so it gives no columns: its JSON metadata must list the properties to send.", paramName);
        }

        Columns = [.. columns];
        _getters = [.. getters];
    }

    public string[] Columns { get; }

    /// <summary>The row's cells for the bulk engine (the array is always a new one, never borrowed); with <paramref name="typed"/>, their kinds too.</summary>
    public string?[] ToCells(T item, long index, bool typed, out bool borrowed, out ScoringTable.CellKind[]? kinds)
    {
        borrowed = false;
        return ToCells(item, index, typed, out kinds);
    }

    /// <summary>The cells of <paramref name="item"/> (and with <paramref name="typed"/>, their kinds) for a table.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2208:Instantiate argument exceptions correctly", Justification = "The bad value came from the caller's rows argument.")]
    public string?[] ToCells(T item, long index, bool typed, out ScoringTable.CellKind[]? kinds)
    {
        if (item is null)
        {
            throw new ArgumentException($"Row {index} is null: pass one {typeof(T).Name} per row.", "rows");
        }

        object boxed = item;
        var cells = new string?[_getters.Length];
        kinds = null;
        for (var i = 0; i < cells.Length; i++)
        {
            ScoringTable.SetCell(cells, ref kinds, i, _getters[i](boxed), typed);
        }

        return cells;
    }
}

/// <summary>
/// Reads <typeparamref name="T"/> records from an output table: each row's cells are converted with the invariant
/// culture into a small JSON object that the type's metadata then reads, so constructors, <c>init</c> and
/// <c>required</c> members work as in any deserialization.
/// </summary>
internal sealed class OutputRowMapper<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly (string Name, Type Type, ValueKind Kind, bool Nullable)[] _properties;

    public OutputRowMapper(JsonTypeInfo<T> typeInfo, string paramName)
    {
        ArgumentNullException.ThrowIfNull(typeInfo, paramName);
        TypedRowMapper.RequireObject(typeInfo, paramName);
        var properties = new List<(string, Type, ValueKind, bool)>();
        foreach (var property in typeInfo.Properties)
        {
            if (property.Set is null && property.AssociatedParameter is null)
            {
                continue;
            }

            var kind = TypedRowMapper.KindOf(property.PropertyType)
                ?? throw new ArgumentException(
                    $"{typeof(T).Name}.{property.Name} is a {property.PropertyType.Name}, which cannot be read from a cell. Use one of: {TypedRowMapper.SupportedTypes}; or leave it out with [JsonIgnore].",
                    paramName);
            var nullable = !property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null;
            properties.Add((property.Name, property.PropertyType, kind, nullable));
        }

        if (properties.Count == 0)
        {
            throw new ArgumentException($"{typeof(T).Name} has no settable properties or constructor parameters, so nothing can be read into it.", paramName);
        }

        _typeInfo = typeInfo;
        _properties = [.. properties];
    }

    public IReadOnlyList<T> Read(ScoringOutput output, long firstRow)
    {
        var columns = new int[_properties.Length];
        for (var p = 0; p < columns.Length; p++)
        {
            if (!output.TryGetColumnIndex(_properties[p].Name, out columns[p]))
            {
                var available = output.ColumnNames is null ? "none (the service sent cells only)" : string.Join(", ", output.ColumnNames);
                throw new InvalidOperationException(
                    $"{typeof(T).Name}.{_properties[p].Name} has no column '{_properties[p].Name}' in output '{output.Name}'. Columns: {available}. Rename the property with [JsonPropertyName(\"…\")], or leave it out with [JsonIgnore].");
            }
        }

        var results = new T[output.RowCount];
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer);
        for (var r = 0; r < results.Length; r++)
        {
            var row = output[r];
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            for (var p = 0; p < columns.Length; p++)
            {
                writer.WritePropertyName(_properties[p].Name);
                WriteCell(writer, row, columns[p], _properties[p], firstRow + r);
            }

            writer.WriteEndObject();
            writer.Flush();
            try
            {
                results[r] = JsonSerializer.Deserialize(buffer.WrittenSpan, _typeInfo)!;
            }
            catch (JsonException ex)
            {
                throw new InvalidOperationException($"Output row {firstRow + r} could not be read as {typeof(T).Name}: {ex.Message}", ex);
            }
        }

        return results;
    }

    private static void WriteCell(Utf8JsonWriter writer, ScoringRow row, int column, (string Name, Type Type, ValueKind Kind, bool Nullable) property, long rowIndex)
    {
        if (row.IsNull(column))
        {
            if (!property.Nullable)
            {
                throw new InvalidOperationException(
                    $"Output row {rowIndex}, column '{property.Name}' is null, but {typeof(T).Name}.{property.Name} is a non-nullable {property.Type.Name}: make it {property.Type.Name}? to accept nulls.");
            }

            writer.WriteNullValue();
            return;
        }

        switch (property.Kind)
        {
            case ValueKind.Integer:
                if (row.TryGetInt64(column, out var integer))
                {
                    writer.WriteNumberValue(integer);
                    return;
                }

                // Values beyond long (ulong) or written as 3.0 are left to the converter to judge.
                if (row.TryGetDecimal(column, out var whole) && whole == decimal.Truncate(whole))
                {
                    writer.WriteNumberValue(whole);
                    return;
                }

                break;
            case ValueKind.Float:
                if (row.TryGetDouble(column, out var number) && double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                    return;
                }

                break;
            case ValueKind.Decimal:
                if (row.TryGetDecimal(column, out var money))
                {
                    writer.WriteNumberValue(money);
                    return;
                }

                break;
            case ValueKind.Boolean:
                if (row.TryGetBoolean(column, out var flag))
                {
                    writer.WriteBooleanValue(flag);
                    return;
                }

                break;
            case ValueKind.DateTime:
                if (row.TryGetDateTime(column, out var dateTime))
                {
                    writer.WriteStringValue(dateTime);
                    return;
                }

                break;
            case ValueKind.DateTimeOffset:
                if (row.TryGetDateTimeOffset(column, out var offset))
                {
                    writer.WriteStringValue(offset);
                    return;
                }

                break;
            case ValueKind.DateOnly:
                if (DateOnly.TryParse(row.GetString(column), CultureInfo.InvariantCulture, out var date))
                {
                    writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    return;
                }

                break;
            case ValueKind.TimeOnly:
                if (TimeOnly.TryParse(row.GetString(column), CultureInfo.InvariantCulture, out var time))
                {
                    writer.WriteStringValue(time.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
                    return;
                }

                break;
            case ValueKind.TimeSpan:
                if (TimeSpan.TryParse(row.GetString(column), CultureInfo.InvariantCulture, out var span))
                {
                    writer.WriteStringValue(span.ToString("c", CultureInfo.InvariantCulture));
                    return;
                }

                break;
            case ValueKind.Guid:
                if (Guid.TryParse(row.GetString(column), out var guid))
                {
                    writer.WriteStringValue(guid);
                    return;
                }

                break;
            case ValueKind.Enum:
                // Numbers are read by any enum converter; names need JsonStringEnumConverter on the type or context.
                if (row.TryGetInt64(column, out var ordinal))
                {
                    writer.WriteNumberValue(ordinal);
                }
                else
                {
                    writer.WriteStringValue(row.GetString(column));
                }

                return;
            default:
                writer.WriteStringValue(row.GetString(column));
                return;
        }

        var text = row.GetString(column) ?? string.Empty;
        if (text.Length > 64)
        {
            text = text[..64] + "…";
        }

        throw new InvalidOperationException(
            $"Output row {rowIndex}, column '{property.Name}' holds \"{text}\", which is not a valid {(Nullable.GetUnderlyingType(property.Type) ?? property.Type).Name} for {typeof(T).Name}.{property.Name} (read with the invariant culture).");
    }
}
