/** A round icon-only button; `label` is its accessible name and tooltip. */
import { type ButtonHTMLAttributes, forwardRef } from 'react';
import { Icon, type IconName } from './Icon.js';

interface IconButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'> {
  icon: IconName;
  label: string;
  size?: number;
}

export const IconButton = forwardRef<HTMLButtonElement, IconButtonProps>(function IconButton(
  { icon, label, size = 24, className, ...rest },
  ref,
) {
  return (
    <button
      ref={ref}
      type="button"
      aria-label={label}
      title={label}
      className={className ? `icon-button ${className}` : 'icon-button'}
      {...rest}
    >
      <Icon name={icon} size={size} />
    </button>
  );
});
