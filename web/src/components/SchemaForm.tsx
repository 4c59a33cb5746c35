// rjsf (`@rjsf/core` + `@rjsf/validator-ajv8`) with small Fluent UI v9 templates and widgets, so connector
// configuration and credential forms look like the rest of the app. (@rjsf/fluentui-rc does not install
// next to React 19: it pulls Fluent's v0 migration package, which wants React 16/17.)
import { forwardRef, useCallback, useMemo, type ChangeEvent } from "react";
import Form from "@rjsf/core";
import validator from "@rjsf/validator-ajv8";
import type {
  ErrorSchema,
  FieldTemplateProps,
  RegistryWidgetsType,
  RJSFSchema,
  TemplatesType,
  UiSchema,
  WidgetProps,
  DescriptionFieldProps,
  TitleFieldProps,
} from "@rjsf/utils";
import { ariaDescribedByIds, getInputProps, enumOptionsIndexForValue, enumOptionsValueForIndex } from "@rjsf/utils";
import { Caption1, Checkbox, Field, Input, Select, Subtitle2, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import { formSchema, uiSchemaFor } from "../lib/jsonSchema";

const useStyles = makeStyles({
  form: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    maxWidth: "640px",
    "& fieldset": { border: "none", padding: 0, margin: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
    "& legend": { display: "none" },
    "& .array-item": { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-end" },
    "& button": { cursor: "pointer" },
  },
});

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, rawErrors, rawDescription, hidden, required, displayLabel, schema, errors, help } = props;
  if (hidden) return <div style={{ display: "none" }}>{children}</div>;
  const type = schema.type;
  const isContainer = type === "object" || type === "array";
  if (isContainer) {
    return (
      <div>
        {children}
        {errors}
      </div>
    );
  }
  const isCheckbox = type === "boolean";
  return (
    <Field
      label={displayLabel && !isCheckbox ? { children: label, htmlFor: id } : undefined}
      required={required}
      hint={rawDescription || undefined}
      validationMessage={rawErrors && rawErrors.length > 0 ? rawErrors.join(" ") : undefined}
      validationState={rawErrors && rawErrors.length > 0 ? "error" : "none"}
    >
      <>
        {children}
        {help}
      </>
    </Field>
  );
}

function BaseInputTemplate(props: WidgetProps) {
  const { id, value, readonly, disabled, autofocus, onBlur, onFocus, onChange, options, schema, type, placeholder, required } = props;
  const inputProps = getInputProps(schema, type, options);
  const isNumber = inputProps.type === "number" || inputProps.type === "integer";
  const v = isNumber ? (value || value === 0 ? value : "") : (value ?? "");
  const handleChange = (e: ChangeEvent<HTMLInputElement>) => {
    const raw = e.target.value;
    if (raw === "") return onChange(options.emptyValue);
    onChange(isNumber && !Number.isNaN(Number(raw)) ? Number(raw) : raw);
  };
  const fluentType = (inputProps.type === "integer" ? "number" : inputProps.type) as "text" | "number" | "password" | "email" | "url";
  return (
    <Input
      id={id}
      name={id}
      type={["text", "number", "password", "email", "url", "date", "datetime-local", "time", "search", "tel"].includes(fluentType) ? fluentType : "text"}
      value={String(v)}
      readOnly={readonly}
      disabled={disabled}
      autoFocus={autofocus}
      placeholder={placeholder}
      required={required}
      autoComplete={options.autocomplete as string | undefined ?? (fluentType === "password" ? "new-password" : "off")}
      step={inputProps.step}
      min={inputProps.min}
      max={inputProps.max}
      onChange={handleChange}
      onBlur={(e) => onBlur(id, e.target.value)}
      onFocus={(e) => onFocus(id, e.target.value)}
      aria-describedby={ariaDescribedByIds(id)}
    />
  );
}

function CheckboxWidget(props: WidgetProps) {
  const { id, value, disabled, readonly, label, onChange, schema, rawErrors } = props;
  return (
    <Checkbox
      id={id}
      checked={!!value}
      disabled={disabled || readonly}
      label={label || schema.title || id}
      onChange={(_, d) => onChange(!!d.checked)}
      aria-invalid={rawErrors && rawErrors.length > 0 ? true : undefined}
    />
  );
}

function SelectWidget(props: WidgetProps) {
  const { id, options, value, disabled, readonly, onChange, required, multiple } = props;
  const { enumOptions = [], emptyValue } = options;
  const selected = enumOptionsIndexForValue(value, enumOptions, !!multiple);
  return (
    <Select
      id={id}
      value={selected === undefined ? "" : String(selected)}
      disabled={disabled || readonly}
      onChange={(_, d) => onChange(d.value === "" ? emptyValue : enumOptionsValueForIndex(d.value, enumOptions, emptyValue))}
    >
      {!required && <option value="">—</option>}
      {enumOptions.map((o, i) => (
        <option key={i} value={String(i)}>
          {o.label}
        </option>
      ))}
    </Select>
  );
}

function TextareaWidget(props: WidgetProps) {
  const { id, value, disabled, readonly, onChange, options } = props;
  return (
    <Textarea
      id={id}
      value={value ?? ""}
      disabled={disabled}
      readOnly={readonly}
      resize="vertical"
      onChange={(_, d) => onChange(d.value === "" ? options.emptyValue : d.value)}
    />
  );
}

function DescriptionFieldTemplate({ description, id }: DescriptionFieldProps) {
  if (!description) return null;
  return <Caption1 id={id}>{description}</Caption1>;
}

function TitleFieldTemplate({ title, id }: TitleFieldProps) {
  return title ? <Subtitle2 id={id}>{title}</Subtitle2> : null;
}

const templates: Partial<TemplatesType> = {
  FieldTemplate,
  BaseInputTemplate,
  DescriptionFieldTemplate,
  TitleFieldTemplate,
};
const widgets: RegistryWidgetsType = { CheckboxWidget, SelectWidget, TextareaWidget };

export interface SchemaFormHandle {
  validateForm: () => boolean;
}

export interface SchemaFormProps {
  schema: unknown;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  /** Errors from the hub, as an rjsf ErrorSchema (see toErrorTree). */
  extraErrors?: ErrorSchema;
  idPrefix: string;
  disabled?: boolean;
  uiSchema?: UiSchema;
}

/** Renders a connector's JSON Schema as a Fluent form; defaults are filled in, descriptions are help text. */
export const SchemaForm = forwardRef<SchemaFormHandle, SchemaFormProps>(function SchemaForm(
  { schema, value, onChange, extraErrors, idPrefix, disabled, uiSchema },
  ref,
) {
  const styles = useStyles();
  const s = useMemo<RJSFSchema>(() => formSchema(schema), [schema]);
  const ui = useMemo(() => ({ ...uiSchemaFor(schema), ...(uiSchema ?? {}) }), [schema, uiSchema]);
  const formRef = useCallback(
    (form: Form | null) => {
      if (!ref) return;
      const handle: SchemaFormHandle = { validateForm: () => (form ? form.validateForm() : true) };
      if (typeof ref === "function") ref(handle);
      else ref.current = handle;
    },
    [ref],
  );
  return (
    <Form
      ref={formRef}
      className={styles.form}
      schema={s}
      uiSchema={ui}
      formData={value}
      validator={validator}
      templates={templates}
      widgets={widgets}
      idPrefix={idPrefix}
      extraErrors={extraErrors}
      extraErrorsBlockSubmit={false}
      showErrorList={false}
      transformErrors={(errors) =>
        errors.map((e) => (e.name === "required" ? { ...e, message: "is required" } : e))
      }
      noHtml5Validate
      disabled={disabled}
      onChange={(e) => onChange((e.formData ?? {}) as Record<string, unknown>)}
      experimental_defaultFormStateBehavior={{ emptyObjectFields: "populateAllDefaults" }}
    >
      <></>
    </Form>
  );
});
