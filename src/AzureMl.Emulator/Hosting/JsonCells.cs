using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>Reads the loose JSON the classic service accepted: any-case property names, cells of any scalar kind.</summary>
internal static class JsonCells
{
    public static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Converts a cell to its text: strings as they are, numbers as written, booleans as True/False.</summary>
    public static bool TryGetCell(JsonElement cell, out string? text)
    {
        switch (cell.ValueKind)
        {
            case JsonValueKind.String:
                text = cell.GetString();
                return true;
            case JsonValueKind.Number:
                text = cell.GetRawText();
                return true;
            case JsonValueKind.True:
                text = "True";
                return true;
            case JsonValueKind.False:
                text = "False";
                return true;
            case JsonValueKind.Null:
                text = null;
                return true;
            default:
                text = null;
                return false;
        }
    }

    public static bool IsNullOrMissing([NotNullWhen(false)] JsonElement? element) =>
        element is null || element.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;
}
