"""Programmes (LOY-1, LOY-2): the settings file, and the pure decisions it drives — points for an order
or an action, what points may pay, when a lot activates and expires. The loyalty facade exports them."""
