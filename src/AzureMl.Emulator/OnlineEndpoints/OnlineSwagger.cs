using System.Buffers;
using System.Text.Json;

namespace AzureMl.Emulator;

/// <summary>The OpenAPI document an MLflow deployment serves at <c>swagger.json</c>: version 2 by default, 3 with <c>?version=3</c>.</summary>
internal static class OnlineSwagger
{
    public static bool IsNumeric(string type) => type.ToUpperInvariant() is "INT32" or "INT64" or "INTEGER" or "LONG" or "DOUBLE" or "FLOAT" or "SINGLE" or "DECIMAL" or "NUMERIC";

    public static ReadOnlyMemory<byte> Write(DeploymentState deployment, bool openApi3)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var model = deployment.Model;
            writer.WriteStartObject();
            if (openApi3)
            {
                writer.WriteString("openapi", "3.0.1");
            }
            else
            {
                writer.WriteString("swagger", "2.0");
                writer.WriteStartArray("schemes");
                writer.WriteStringValue("https");
                writer.WriteEndArray();
                writer.WriteStartArray("consumes");
                writer.WriteStringValue("application/json");
                writer.WriteEndArray();
                writer.WriteStartArray("produces");
                writer.WriteStringValue("application/json");
                writer.WriteEndArray();
            }

            writer.WriteStartObject("info");
            writer.WriteString("title", deployment.Name);
            writer.WriteString("description", "API specification for the Azure Machine Learning (emulated) service " + deployment.Name);
            writer.WriteString("version", "1.0");
            writer.WriteEndObject();
            writer.WriteStartObject("paths");
            writer.WriteStartObject("/score");
            writer.WriteStartObject("post");
            writer.WriteString("operationId", "RunMLService");
            writer.WriteString("description", "Run web service's model and get the prediction output");
            if (openApi3)
            {
                writer.WriteStartObject("requestBody");
                writer.WriteBoolean("required", true);
                writer.WriteStartObject("content");
                writer.WriteStartObject("application/json");
                writer.WriteStartObject("schema");
                WriteInput(writer, model);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartArray("parameters");
                writer.WriteStartObject();
                writer.WriteString("name", "serviceInputPayload");
                writer.WriteString("in", "body");
                writer.WriteBoolean("required", true);
                writer.WriteStartObject("schema");
                WriteInput(writer, model);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
            }

            writer.WriteStartObject("responses");
            writer.WriteStartObject("200");
            writer.WriteString("description", "Success");
            if (openApi3)
            {
                writer.WriteStartObject("content");
                writer.WriteStartObject("application/json");
                writer.WriteStartObject("schema");
                WriteOutput(writer, model);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartObject("schema");
                WriteOutput(writer, model);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private static void WriteInput(Utf8JsonWriter writer, EmulatedModel model)
    {
        writer.WriteString("type", "object");
        writer.WriteStartArray("required");
        writer.WriteStringValue("input_data");
        writer.WriteEndArray();
        writer.WriteStartObject("properties");
        writer.WriteStartObject("input_data");
        writer.WriteString("type", "object");
        writer.WriteStartObject("properties");
        writer.WriteStartObject("columns");
        writer.WriteString("type", "array");
        writer.WriteStartObject("items");
        writer.WriteString("type", "string");
        writer.WriteStartArray("enum");
        foreach (var column in model.InputColumns)
        {
            writer.WriteStringValue(column.Name);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("index");
        writer.WriteString("type", "array");
        writer.WriteStartObject("items");
        writer.WriteString("type", "integer");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("data");
        writer.WriteString("type", "array");
        writer.WriteStartObject("items");
        writer.WriteString("type", "array");
        writer.WriteStartObject("items");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("params");
        writer.WriteString("type", "object");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteOutput(Utf8JsonWriter writer, EmulatedModel model)
    {
        writer.WriteString("type", "array");
        writer.WriteStartObject("items");
        writer.WriteString("type", "object");
        writer.WriteStartObject("properties");
        foreach (var column in model.Outputs[0].Columns)
        {
            writer.WriteStartObject(column.Name);
            writer.WriteString("type", TypeOf(column.Type));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string TypeOf(string type) =>
        IsNumeric(type)
            ? (type.ToUpperInvariant() is "INT32" or "INT64" or "INTEGER" or "LONG" ? "integer" : "number")
            : string.Equals(type, "Boolean", StringComparison.OrdinalIgnoreCase) ? "boolean" : "string";
}
